import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { buf, readAll, tempDir } from './embedded-test-helpers.js';

let open: EmbeddedBackend[] = [];
afterEach(async () => {
  for (const b of open) await b.close();
  open = [];
});
async function openAt(dir: string): Promise<EmbeddedBackend> {
  const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never', maintenanceIntervalMs: 0 });
  open.push(b);
  return b;
}

/** One record per send, so one batch each: 44-byte batch header + 22-byte record overhead + key + value. */
async function produceSingles(b: EmbeddedBackend, topic: string, n: number, key: (i: number) => string, value: (i: number) => string | null): Promise<void> {
  const p = b.producer({});
  for (let i = 0; i < n; i++) {
    const v = value(i);
    await p.send([{ topic, partition: 0, key: buf(key(i)), value: v === null ? null : buf(v), timestamp: i * 1000 }]);
  }
}

function segmentBases(dir: string, topic: string): number[] {
  return fs
    .readdirSync(path.join(dir, 'topics', topic, '0'))
    .filter((f) => f.endsWith('.log'))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

describe('embedded log: retention', () => {
  it('deletes whole closed segments older than retention.ms and advances the log start', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'rt', partitions: 1, config: { 'segment.bytes': '1024', 'retention.ms': '50000' } }]);
    // Batches are 44 + 22 + 3 (key) + 20 (value) = 89 bytes, so 11 fit in 1024 bytes: segments [0..10], [11..21], ...
    await produceSingles(b, 'rt', 100, (i) => `k${String(i).padStart(2, '0')}`, (i) => `value-${String(i).padStart(14, '0')}`);
    expect(segmentBases(dir, 'rt').slice(0, 3)).toEqual([0, 11, 22]);
    await b.maintenance(100_000);
    // Cutoff 50000: segment [44..54] holds timestamps up to 54000, so it stays; everything before it goes.
    expect(await b.admin().listOffsets('rt')).toEqual([{ partition: 0, earliest: 44, latest: 100 }]);
    const left = await readAll(b, 'rt');
    expect(left.map((r) => r.offset)).toEqual(Array.from({ length: 56 }, (_, i) => 44 + i));
    // Every record younger than the cutoff survives.
    expect(left.filter((r) => r.timestamp >= 50_000).length).toBe(50);
    await b.maintenance(10_000_000);
    // The active segment is never deleted.
    expect((await b.admin().listOffsets('rt'))[0].earliest).toBe(99);
    expect((await readAll(b, 'rt')).map((r) => r.value)).toEqual(['value-00000000000099']);
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    expect(await b2.admin().listOffsets('rt')).toEqual([{ partition: 0, earliest: 99, latest: 100 }]);
  });

  it('deletes oldest segments while the partition exceeds retention.bytes by a whole segment', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'rs', partitions: 1, config: { 'segment.bytes': '1024', 'retention.bytes': '3000', 'retention.ms': '-1' } }]);
    await produceSingles(b, 'rs', 100, (i) => `k${String(i).padStart(2, '0')}`, (i) => `value-${String(i).padStart(14, '0')}`);
    // 9 closed segments of 979 bytes + 89 active = 8900 bytes; Kafka deletes while size - oldest >= 3000: 6 segments.
    await b.maintenance(Date.now());
    expect(await b.admin().listOffsets('rs')).toEqual([{ partition: 0, earliest: 66, latest: 100 }]);
    expect((await readAll(b, 'rs')).map((r) => r.offset)).toEqual(Array.from({ length: 34 }, (_, i) => 66 + i));
  });

  it('a consumer behind the log start is reset per autoOffsetReset', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'rr', partitions: 1, config: { 'segment.bytes': '1024', 'retention.ms': '1' } }]);
    await produceSingles(b, 'rr', 30, (i) => `k${String(i).padStart(2, '0')}`, (i) => `value-${String(i).padStart(14, '0')}`);
    const c = b.consumer({ groupId: 'late', autoOffsetReset: 'none' });
    await c.commit([{ topic: 'rr', partition: 0, offset: 5 }]);
    await b.maintenance(10_000_000);
    await c.assign([{ topic: 'rr', partition: 0, offset: -1 }]);
    await expect(c.poll({ maxRecords: 1, maxWaitMs: 0 })).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await c.close();
  });
});

describe('embedded log: compaction', () => {
  it('keeps the latest record per key in closed segments, preserves offsets, then drops old tombstones', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([
      { name: 'cp', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'delete.retention.ms': '1000000' } },
    ]);
    const keyOf = (i: number): string => `key-${i % 7}`;
    const valueOf = (i: number): string | null => (i % 11 === 5 ? null : `v${String(i).padStart(3, '0')}`);
    const n = 120;
    await produceSingles(b, 'cp', n, keyOf, valueOf);
    const before = await readAll(b, 'cp');
    const activeBase = segmentBases(dir, 'cp').at(-1)!;
    expect(activeBase).toBeGreaterThan(50);

    // Reference model: below the active segment keep each key's last record; keep the active segment as is.
    const lastBelow = new Map<string, number>();
    for (let i = 0; i < activeBase; i++) lastBelow.set(keyOf(i), i);
    const model = (dropTombstones: boolean): number[] =>
      before
        .filter((r) => r.offset >= activeBase || (lastBelow.get(r.key!) === r.offset && !(dropTombstones && r.value === null)))
        .map((r) => r.offset);

    await b.maintenance(n * 1000 + 1);
    const after = await readAll(b, 'cp');
    expect(after.map((r) => r.offset)).toEqual(model(false));
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    for (const r of after) expect(r).toEqual(byOffset.get(r.offset));
    expect(after.some((r) => r.value === null && r.offset < activeBase)).toBe(true);
    expect(await b.admin().listOffsets('cp')).toEqual([{ partition: 0, earliest: 0, latest: n }]);

    // Past delete.retention.ms the tombstones in closed segments go too.
    await b.maintenance(n * 1000 + 2_000_000);
    const final = await readAll(b, 'cp');
    expect(final.map((r) => r.offset)).toEqual(model(true));

    // The table a reader rebuilds is the same as from the uncompacted log.
    const table = (rs: typeof before): Map<string, string | null> => {
      const m = new Map<string, string | null>();
      for (const r of rs) if (r.value === null) m.delete(r.key!); else m.set(r.key!, r.value);
      return m;
    };
    expect(table(final)).toEqual(table(before));
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    expect((await readAll(b2, 'cp')).map((r) => r.offset)).toEqual(model(true));
    // Reading from an offset inside a gap continues at the next surviving record.
    const gap = model(true).find((o, i, all) => i > 0 && o - all[i - 1] > 1)!;
    const c = b2.consumer({});
    await c.assign([{ topic: 'cp', partition: 0, offset: gap - 1 }]);
    const got = await c.poll({ maxRecords: 1, maxWaitMs: 0 });
    expect(got[0].offsets).toEqual([gap]);
    await c.close();
  });
});
