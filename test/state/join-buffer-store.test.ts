import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Serdes } from '../../src/serde/index.js';
import { changelogConfig } from '../../src/runtime/topic-setup.js';
import { changelogTopicConfig } from '../../src/state/changelog-topic-config.js';
import { JoinBufferStore } from '../../src/state/join-buffer-store.js';
import type { StoreBuildOptions } from '../../src/state/store-types.js';
import { pick, rng, tempDir, testContext } from './state-test-helpers.js';

const RETENTION = 50; // what the DSL passes: before + after + grace + 1
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function opts(persistent: boolean): StoreBuildOptions<string, unknown> {
  return { name: 'buf', keySerde: Serdes.String(), valueSerde: Serdes.Bytes() as never, persistent, logging: true, cacheMaxBytes: 0, retentionMs: RETENTION, windowSizeMs: 1 };
}

interface Entry {
  readonly key: string;
  readonly ts: number;
  readonly v: string;
}

/** Reference: every accepted record, live while ts + 1 > stream time - retention. */
class BufferModel {
  readonly all: Entry[] = [];
  observed = -Infinity;
  live = (e: Entry): boolean => e.ts + 1 > this.observed - RETENTION;
  append(e: Entry): void {
    if (this.live(e)) this.all.push(e);
  }
  fetch(key: string, from: number, to: number): [number, string][] {
    return this.all
      .filter((e) => e.key === key && e.ts >= from && e.ts <= to && this.live(e))
      .map((e, seq) => ({ e, seq }))
      .sort((a, b) => a.e.ts - b.e.ts || a.seq - b.seq)
      .map(({ e }) => [e.ts, e.v]);
  }
}

function fetch(s: JoinBufferStore<string>, key: string, from: number, to: number): [number, string][] {
  const ts: number[] = [];
  const slots: number[] = [];
  const n = s.fetchInto(key, from, to, ts, slots);
  return ts.slice(0, n).map((t, i) => [t, s.valueAt(slots[i]).toString()]);
}

describe('JoinBufferStore against a reference model', () => {
  for (const persistent of [false, true]) {
    it(`${persistent ? 'LevelDB' : 'in-memory'}: duplicates, disorder and expiry; restores from its changelog and from LevelDB`, async () => {
      const dir = tempDir();
      dirs.push(dir);
      const s = new JoinBufferStore<string>(opts(persistent));
      const { ctx, changes } = testContext(dir, 'buf');
      await s.open(ctx);
      const m = new BufferModel();
      const r = rng(persistent ? 11 : 5);
      let time = 0;
      for (let i = 0; i < 3000; i++) {
        const key = pick(r, ['a', 'b', 'c', 'd']);
        const op = r();
        if (op < 0.5) {
          const ts = Math.max(0, time - Math.floor(r() * 70));
          const e = { key, ts, v: `v${i}` };
          s.append(key, Buffer.from(e.v), ts);
          m.append(e);
        } else if (op < 0.8) {
          const from = time - Math.floor(r() * 80);
          const to = from + Math.floor(r() * 40);
          expect(fetch(s, key, from, to)).toEqual(m.fetch(key, from, to));
        } else {
          time += Math.floor(r() * 10);
          s.expire(time);
          m.observed = Math.max(m.observed, time);
        }
        if (i % 500 === 499) await s.flush();
      }
      await s.flush();
      const expected = (): [string, number, string][] => m.all.filter(m.live).map((e) => [e.key, e.ts, e.v] as [string, number, string]).sort((x, y) => x[1] - y[1]);
      const rows = (st: JoinBufferStore<string>) => st.entries().map((e) => [e.key, e.timestamp, e.value.toString()] as [string, number, string]);
      const sortRows = (xs: [string, number, string][]) => [...xs].sort((x, y) => x[1] - y[1] || (x[2] < y[2] ? -1 : 1));
      expect(sortRows(rows(s))).toEqual(sortRows(expected()));
      await s.close();
      // A changelog restore into a fresh store, expired to the same stream time.
      const fromLog = new JoinBufferStore<string>(opts(false));
      await fromLog.open(testContext(tempDir(), 'buf').ctx);
      for (const c of changes) fromLog.restore(c.key, c.value, c.timestamp);
      await fromLog.restoreDone();
      fromLog.expire(time);
      expect(sortRows(rows(fromLog))).toEqual(sortRows(expected()));
      for (const k of ['a', 'b']) expect(fetch(fromLog, k, time - 60, time)).toEqual(m.fetch(k, time - 60, time));
      await fromLog.close();
      if (persistent) {
        const reopened = new JoinBufferStore<string>(opts(true));
        await reopened.open(testContext(dir, 'buf').ctx);
        reopened.expire(time);
        expect(sortRows(rows(reopened))).toEqual(sortRows(expected()));
        await reopened.close();
      }
    });
  }

  it('drops records already past the retention and counts them', async () => {
    const s = new JoinBufferStore<string>(opts(false));
    const { ctx, changes, metrics } = testContext(tempDir(), 'buf');
    await s.open(ctx);
    s.expire(1000);
    s.append('k', Buffer.from('old'), 949); // 949 + 1 <= 1000 - 50
    s.append('k', Buffer.from('ok'), 950);
    expect(fetch(s, 'k', 0, 2000)).toEqual([[950, 'ok']]);
    expect(changes.length).toBe(1);
    expect(metrics.total('dropped-records-total', { store: 'buf', reason: 'expired-window' })).toBe(1);
    await s.close();
  });

  it('logs each record under its plain key to a changelog that is never compacted', async () => {
    const s = new JoinBufferStore<string>(opts(false));
    const { ctx, changes } = testContext(tempDir(), 'buf');
    await s.open(ctx);
    s.append('k', Buffer.from('1'), 10);
    s.append('k', Buffer.from('2'), 10);
    expect(changes.map((c) => [c.key.toString(), c.value?.toString(), c.timestamp])).toEqual([
      ['k', '1', 10],
      ['k', '2', 10],
    ]);
    await s.close();
    // Compaction would keep only the last record of "k": join buffers' changelogs only expire.
    const spec = { name: 'buf', type: 'window', persistent: false, logging: true, loggingConfig: {}, caching: false, retentionMs: 50, windowSizeMs: 1, retainDuplicates: true } as const;
    expect(changelogTopicConfig(spec)['cleanup.policy']).toBe('delete');
    expect(changelogConfig(spec)['cleanup.policy']).toBe('delete');
    expect(changelogConfig({ ...spec, retainDuplicates: false })['cleanup.policy']).toBe('compact,delete');
  });

  it('never returns an entry that expired between two memory sweeps', async () => {
    const s = new JoinBufferStore<string>({ ...opts(false), retentionMs: 3200 }); // sweeps every 100 ms
    await s.open(testContext(tempDir(), 'buf').ctx);
    for (let t = 0; t < 400; t++) s.append('k', Buffer.from(String(t)), t);
    for (let now = 3200; now < 3700; now += 7) {
      s.expire(now);
      // Live: ts + 1 > now - 3200.
      const live = Array.from({ length: 400 }, (_, t) => t).filter((t) => t + 1 > now - 3200);
      expect(fetch(s, 'k', 0, 10_000).map(([t]) => t)).toEqual(live);
      expect(s.entries().map((e) => e.timestamp)).toEqual(live);
    }
    await s.close();
  });
  for (const readOften of [false, true]) {
    // Read rarely, a buffer hands out copies and reuses its arena chunks; read often, views of chunks it then never reuses.
    it(`keeps values intact across slot growth and arena chunks, and what valueAt returned stays intact after expiry (${readOften ? 'read often' : 'read rarely'})`, async () => {
    const s = new JoinBufferStore<string>({ ...opts(false), retentionMs: 3000 });
    await s.open(testContext(tempDir(), 'buf').ctx);
    const r = rng(23);
    const all: Entry[] = [];
    let now = 0;
    const live = (e: Entry): boolean => e.ts + 1 > now - 3000;
    const expectedFetch = (key: string, from: number, to: number): [number, string][] =>
      all
        .filter((e) => e.key === key && e.ts >= from && e.ts <= to && live(e))
        .map((e, seq) => ({ e, seq }))
        .sort((x, y) => x.e.ts - y.e.ts || x.seq - y.seq)
        .map(({ e }) => [e.ts, e.v]);
    const held: [Buffer, string][] = [];
    for (let i = 0; i < 20_000; i++) {
      now += r() < 0.5 ? 1 : 0;
      const ts = Math.max(0, now - Math.floor(r() * 40));
      // Mostly small values, some large ones (a 100 KB one outgrows the first arena). About 6,000
      // records are live at a time, so the slots grow and the arena takes and drops many chunks.
      const len = i === 5000 ? 100_000 : r() < 0.02 ? 5000 : Math.floor(r() * 200);
      // Some empty values too (one may fall at the very end of a chunk).
      const v = len < 3 ? '' : `${i}:`.padEnd(len, String.fromCharCode(97 + (i % 26)));
      const e = { key: pick(r, ['a', 'b', 'c']), ts, v };
      s.append(e.key, Buffer.from(e.v), ts);
      all.push(e);
      s.expire(now);
      if (readOften) {
        const slots: number[] = [];
        const n = s.fetchInto(pick(r, ['a', 'b', 'c']), now - 10, now, [], slots);
        for (let k = 0; k < n; k++) s.valueAt(slots[k]);
      }
      if (i % 499 === 0) {
        const key = pick(r, ['a', 'b', 'c']);
        const ts: number[] = [];
        const slots: number[] = [];
        const n = s.fetchInto(key, now - 100, now, ts, slots);
        const vs = slots.slice(0, n).map((slot) => s.valueAt(slot));
        const got = ts.slice(0, n).map((t, k) => [t, vs[k].toString()] as [number, string]);
        expect(got).toEqual(expectedFetch(key, now - 100, now));
        for (let k = 0; k < n; k++) held.push([vs[k], got[k][1]]);
      }
    }
    expect(s.entries().map((e) => e.value.toString()).sort()).toEqual(all.filter(live).map((e) => e.v).sort());
    // Values handed out earlier still show their bytes.
    for (const [b, v] of held) expect(b.toString()).toBe(v);
    await s.close();
  });
  }
  it('finds a key again after all its records expired and it came back (the last-chain shortcut)', async () => {
    const s = new JoinBufferStore<string>({ ...opts(false), retentionMs: 32 }); // frees memory every 1 ms
    await s.open(testContext(tempDir(), 'buf').ctx);
    s.append('k', Buffer.from('old'), 0);
    s.expire(100); // 'k' emptied: its chain leaves the map
    expect(fetch(s, 'k', 0, 200)).toEqual([]);
    s.append('k', Buffer.from('new'), 100);
    s.append('j', Buffer.from('j'), 100);
    s.append('k', Buffer.from('new2'), 101);
    expect(fetch(s, 'j', 0, 200)).toEqual([[100, 'j']]);
    expect(fetch(s, 'k', 0, 200)).toEqual([
      [100, 'new'],
      [101, 'new2'],
    ]);
    await s.close();
    // Reopened, the store starts empty (nothing is remembered from before close).
    await s.open(testContext(tempDir(), 'buf').ctx);
    expect(fetch(s, 'k', 0, 200)).toEqual([]);
    await s.close();
  });
});

