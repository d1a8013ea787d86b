import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { readAll, tempDir } from './embedded-test-helpers.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-child-fixture.ts');
const children: ChildProcess[] = [];
let open: EmbeddedBackend[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.length = 0;
  for (const b of open) await b.close();
  open = [];
});

/** Runs the fixture; resolves with its stdout lines once it exits (or is killed after `killAfterLines`). */
function runChild(args: string[], killAfterLines?: { lines: number; extraMs: number }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    let armed = false;
    const hardStop = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterLines && !armed && out.split('\n').length > killAfterLines.lines) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterLines.extraMs);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(hardStop);
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.length > 0));
    });
  });
}

describe('embedded log: crash safety', () => {
  it('after kill -9 at random moments every acknowledged record is present and the log reads cleanly', async () => {
    const dir = tempDir();
    const acked: { partition: number; base: number; last: number; round: number; batch: number }[] = [];
    const policies = ['never', 'interval', 'always'];
    for (let round = 0; round < 3; round++) {
      const lines = await runChild(['append', dir, policies[round], String(round)], { lines: 5 + round * 20, extraMs: Math.floor(Math.random() * 150) });
      for (const l of lines) {
        const [tag, p, base, last, r, batch] = l.split(' ');
        if (tag === 'ack') acked.push({ partition: Number(p), base: Number(base), last: Number(last), round: Number(r), batch: Number(batch) });
      }
      expect(lines.length).toBeGreaterThan(0);
    }
    const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
    open.push(b);
    const all = await readAll(b, 'k');
    const at = new Map(all.map((r) => [`${r.partition}:${r.offset}`, r]));
    for (const a of acked) {
      for (let o = a.base; o <= a.last; o++) {
        const r = at.get(`${a.partition}:${o}`);
        expect(r?.value, `partition ${a.partition} offset ${o}`).toBe(`r${a.round}-b${a.batch}-j${o - a.base}`);
        expect(r?.key).toBe(`r${a.round}b${a.batch}`);
      }
    }
    // Offsets are dense per partition (nothing corrupt in between) and batches are whole.
    for (const part of [0, 1, 2]) {
      const offs = all.filter((r) => r.partition === part).map((r) => r.offset);
      expect(offs).toEqual(offs.map((_, i) => i));
    }
    // The log stays writable after recovery.
    const [res] = await b.producer({}).send([{ topic: 'k', partition: 0, key: null, value: Buffer.from('after'), timestamp: 0 }]);
    expect(res.baseOffset).toBe(all.filter((r) => r.partition === 0).length);
  });

  it('a transaction interrupted by kill -9 mid-commit is all or nothing after reopen', async () => {
    const dir = tempDir();
    const committed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const lines = await runChild(['txn', dir, 'never', String(round)], { lines: 3 + round * 10, extraMs: Math.floor(Math.random() * 100) });
      for (const l of lines) if (l.startsWith('committed ')) committed.push(l.slice(10));
    }
    const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
    open.push(b);
    const records = [...(await readAll(b, 'ta', { isolationLevel: 'read_committed' })), ...(await readAll(b, 'tb', { isolationLevel: 'read_committed' }))];
    const places = new Map<string, Set<string>>();
    for (const r of records) {
      const s = places.get(r.value!) ?? new Set<string>();
      s.add(`${r.topic}-${r.partition}`);
      places.set(r.value!, s);
    }
    for (const [id, where] of places) expect([...where].sort(), `transaction ${id}`).toEqual(['ta-0', 'ta-1', 'tb-0']);
    for (const id of committed) expect(places.has(id), `acknowledged transaction ${id}`).toBe(true);
    // Per partition, exactly one copy of each visible transaction.
    expect(records.length).toBe(places.size * 3);
    // The group offset committed with the last visible transaction of the last round is the one stored.
    const [{ offset }] = await b.admin().fetchCommittedOffsets('crash-group');
    const round = Math.floor((offset - 1) / 1_000_000);
    const n = (offset - 1) % 1_000_000;
    expect(places.has(`${round}-${n}`)).toBe(true);
    const lastOfRound2 = Math.max(...[...places.keys()].filter((k) => k.startsWith('2-')).map((k) => Number(k.slice(2))));
    expect(`${round}-${n}`).toBe(`2-${lastOfRound2}`);
    // read_uncommitted never shows an aborted (interrupted) transaction either.
    const uncommitted = await readAll(b, 'ta', { isolationLevel: 'read_uncommitted' });
    expect(uncommitted.every((r) => places.has(r.value!))).toBe(true);
  });

  it('a second process and a second open in this process get LOG_LOCKED naming the directory and pid', async () => {
    const dir = tempDir();
    const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
    open.push(b);
    await expect(openEmbeddedBackend({ dataDir: dir })).rejects.toMatchObject({ code: 'LOG_LOCKED' });
    const [line] = await runChild(['lock', dir, 'never', '0']);
    expect(line).toMatch(/^error LOG_LOCKED /);
    expect(line).toContain(dir);
    expect(line).toContain(String(process.pid));
    await b.close();
    open = [];
    expect(await runChild(['lock', dir, 'never', '0'])).toEqual(['opened']);
    // A lock left by a dead process is taken over.
    fs.writeFileSync(path.join(dir, '.lock'), '999999999\n');
    const again = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
    open.push(again);
    expect(fs.readFileSync(path.join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
  });
});
