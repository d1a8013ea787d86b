import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { IsolationLevel } from '../../src/backend/backend-types.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { CRASH_APP_ID, crashTopology } from './fixtures/crash-app-fixture.js';
import { createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';

const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/crash-app-fixture.ts');
const PARTITIONS = 3;
const PER_PARTITION = 400;
const TOTAL = PARTITIONS * PER_PARTITION;
const KILL_AFTER = 400;

type Guarantee = 'at_least_once' | 'exactly_once_v2';

/** Runs the fixture app until it has seen KILL_AFTER records (where it freezes mid-poll), then
 * SIGKILLs it. */
function runAndKill(dir: string, guarantee: Guarantee): Promise<{ seen: number; output: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, guarantee, String(KILL_AFTER)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let seen = 0;
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`the fixture app did not reach ${KILL_AFTER} records within 20 s; output:\n${out}`));
    }, 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      for (const m of chunk.matchAll(/progress (\d+)/g)) seen = Math.max(seen, Number(m[1]));
      if (!killed && seen >= KILL_AFTER) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) res({ seen, output: out });
      else rej(new Error(`the fixture app exited with ${code ?? signal} before the kill; output:\n${out}`));
    });
  });
}

/** Input partition p holds `p<p>-<i>` for i in 0..PER_PARTITION-1, keyed by the same string. */
function inputOf(p: number): string[] {
  return Array.from({ length: PER_PARTITION }, (_, i) => `p${p}-${i}`);
}

async function crashAndRecover(guarantee: Guarantee, isolation: IsolationLevel) {
  const dir = tempDir('sw-app-crash-');
  let lease = await openLog(dir);
  await createTopics(lease.backend, [{ name: 'in', partitions: PARTITIONS }, { name: 'out', partitions: 1 }]);
  for (let p = 0; p < PARTITIONS; p++) await produce(lease.backend, 'in', inputOf(p).map((v) => ({ key: v, value: v })), { partition: p });
  // The child must own the data directory: this process lets go of it first.
  await lease.release();

  const { seen } = await runAndKill(dir, guarantee);
  lease = await openLog(dir);
  const log = lease.backend;
  const atKill = await log.admin().fetchCommittedOffsets(CRASH_APP_ID, ['in']);
  const committedAtKill = new Map(atKill.map((o) => [o.partition, Math.max(o.offset, 0)]));
  const committedSum = [...committedAtKill.values()].reduce((a, b) => a + b, 0);

  // A fresh instance of the same app finishes the work.
  const app = new StreamsApp(crashTopology(), { 'application.id': CRASH_APP_ID, 'log.dir': dir, 'log.flush': 'never', 'processing.guarantee': guarantee, 'commit.interval.ms': 20 }, { logger: silentLogger });
  try {
    await app.start();
    await waitFor('the recovered app to commit every input', 20_000, async () => {
      const c = await log.admin().fetchCommittedOffsets(CRASH_APP_ID, ['in']);
      return c.length === PARTITIONS && c.every((o) => o.offset === PER_PARTITION) ? true : undefined;
    }, 50);
  } finally {
    await app.close();
  }
  const output = (await readAll(log, 'out', isolation)).map((r) => r.value!);
  await lease.release();
  return { seen, committedAtKill, committedSum, output };
}

describe('StreamsApp under SIGKILL (child process on the embedded log)', () => {
  it('at_least_once: nothing is lost; repeats come only from the tail after the last commit', async () => {
    const { seen, committedAtKill, committedSum, output } = await crashAndRecover('at_least_once', 'read_uncommitted');
    // The kill really happened mid-way: the child had work left and commits were behind the end.
    expect(seen).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(committedSum).toBeLessThan(TOTAL);
    for (let p = 0; p < PARTITIONS; p++) {
      const ref = inputOf(p).map((v) => `o:${v}`);
      const got = output.filter((v) => v.startsWith(`o:p${p}-`));
      const c = committedAtKill.get(p) ?? 0;
      // Reference: the first run wrote ref[0..k) before dying (k >= c, outputs are acknowledged
      // before offsets are committed); the second run wrote ref[c..N). So got = ref[0..k) ++ ref[c..N).
      const k = got.length - (PER_PARTITION - c);
      expect(k, `partition ${p}: first-run output count`).toBeGreaterThanOrEqual(c);
      expect(k).toBeLessThanOrEqual(PER_PARTITION);
      expect(got.slice(0, k)).toEqual(ref.slice(0, k));
      expect(got.slice(k)).toEqual(ref.slice(c));
    }
    expect(new Set(output).size).toBe(TOTAL);
  });

  it('exactly_once_v2: the read_committed output equals the reference exactly', async () => {
    const { seen, committedSum, output } = await crashAndRecover('exactly_once_v2', 'read_committed');
    expect(seen).toBeGreaterThanOrEqual(KILL_AFTER);
    // The child died with processed-but-uncommitted records: its open transaction had to be aborted.
    // (The child froze at record 400, while processing its poll: that poll cannot have committed.)
    expect(committedSum).toBeLessThan(seen);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(output.filter((v) => v.startsWith(`o:p${p}-`)), `partition ${p}`).toEqual(inputOf(p).map((v) => `o:${v}`));
    }
    expect(output).toHaveLength(TOTAL);
  });
});
