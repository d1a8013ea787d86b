import { afterEach, describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../../src/errors/index.js';
import { partitionForKey } from '../../../src/backend/partitioner.js';
import type { ProducerRecord } from '../../../src/backend/backend-types.js';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { buf, flatten, readAll, tempDir, type SeenRecord } from './embedded-test-helpers.js';

let open: EmbeddedBackend[] = [];
async function openAt(dir: string, flush: 'always' | 'interval' | 'never' = 'never'): Promise<EmbeddedBackend> {
  const b = await openEmbeddedBackend({ dataDir: dir, flush });
  open.push(b);
  return b;
}
afterEach(async () => {
  for (const b of open) await b.close();
  open = [];
});

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, text?: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isStreamwrightError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    if (text) expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('embedded log: produce and consume', () => {
  it('round-trips keys, values, nulls, tombstones, timestamps and headers with Kafka offsets', async () => {
    const b = await openAt(tempDir(), 'always');
    await b.admin().createTopics([{ name: 'orders', partitions: 1 }]);
    const p = b.producer({});
    const records: ProducerRecord[] = [
      { topic: 'orders', key: buf('a'), value: buf('1'), timestamp: 1000, headers: [{ key: 'h1', value: buf('x') }, { key: 'é', value: null }] },
      { topic: 'orders', key: null, value: buf('no key'), timestamp: 1001 },
      { topic: 'orders', key: buf('a'), value: null, timestamp: 1002 },
      { topic: 'orders', key: buf(''), value: buf(''), timestamp: -5, headers: [] },
    ].map((r) => ({ ...r, partition: 0 }));
    const res = await p.send(records);
    expect(res).toEqual([{ topic: 'orders', partition: 0, baseOffset: 0, lastOffset: 3 }]);
    const res2 = await p.send([{ topic: 'orders', partition: 0, key: buf('b'), value: buf('2'), timestamp: 2000 }]);
    expect(res2).toEqual([{ topic: 'orders', partition: 0, baseOffset: 4, lastOffset: 4 }]);
    const expected: SeenRecord[] = [
      { topic: 'orders', partition: 0, offset: 0, timestamp: 1000, key: 'a', value: '1', headers: [{ key: 'h1', value: 'x' }, { key: 'é', value: null }] },
      { topic: 'orders', partition: 0, offset: 1, timestamp: 1001, key: null, value: 'no key' },
      { topic: 'orders', partition: 0, offset: 2, timestamp: 1002, key: 'a', value: null },
      { topic: 'orders', partition: 0, offset: 3, timestamp: -5, key: '', value: '' },
      { topic: 'orders', partition: 0, offset: 4, timestamp: 2000, key: 'b', value: '2' },
    ];
    expect(await readAll(b, 'orders')).toEqual(expected);
    expect(await b.admin().listOffsets('orders')).toEqual([{ partition: 0, earliest: 0, latest: 5 }]);
  });

  it('places keyed records with murmur2 and null keys round-robin, contiguously per partition', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 't', partitions: 4 }]);
    const p = b.producer({});
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const recs: ProducerRecord[] = keys.map((k, i) => ({ topic: 't', key: buf(k), value: buf(String(i)), timestamp: i }));
    const appends = await p.send(recs);
    const model = new Map<number, string[]>();
    for (const k of keys) {
      const part = partitionForKey(buf(k), 4);
      model.set(part, [...(model.get(part) ?? []), k]);
    }
    // One entry per partition touched, in first-touched order.
    const firstTouched = [...new Set(keys.map((k) => partitionForKey(buf(k), 4)))];
    expect(appends.map((a) => a.partition)).toEqual(firstTouched);
    for (const a of appends) expect(a.lastOffset - a.baseOffset + 1).toBe(model.get(a.partition)!.length);
    const seen = await readAll(b, 't');
    for (const [part, ks] of model) expect(seen.filter((r) => r.partition === part).map((r) => r.key)).toEqual(ks);
    await p.send(Array.from({ length: 8 }, (_, i) => ({ topic: 't', key: null, value: buf(`n${i}`), timestamp: i })));
    const nulls = (await readAll(b, 't')).filter((r) => r.key === null);
    const perPartition = [0, 1, 2, 3].map((q) => nulls.filter((r) => r.partition === q).length);
    expect(perPartition).toEqual([2, 2, 2, 2]);
  });

  it('rejects bad input with typed errors and writes nothing of a bad send', async () => {
    const b = await openAt(tempDir());
    const admin = b.admin();
    await expectCode(admin.createTopics([{ name: 'bad/name', partitions: 1 }]), 'TOPIC_INVALID_NAME');
    await expectCode(admin.createTopics([{ name: 'x', partitions: 0 }]), 'CONFIG_INVALID');
    await expectCode(admin.createTopics([{ name: 'x', partitions: 1, config: { 'cleanup.policy': 'shred' } }]), 'CONFIG_INVALID', /cleanup.policy/);
    await admin.createTopics([{ name: 'x', partitions: 2 }]);
    await expectCode(admin.createTopics([{ name: 'x', partitions: 2 }]), 'TOPIC_EXISTS');
    await admin.createTopics([{ name: 'x', partitions: 2 }], { ifNotExists: true });
    await expectCode(admin.describeTopics(['missing']), 'TOPIC_NOT_FOUND', /"missing".*streamwright topics create/);
    const p = b.producer({});
    await expectCode(p.send([{ topic: 'missing', key: null, value: null, timestamp: 0 }]), 'TOPIC_NOT_FOUND', /missing/);
    await expectCode(p.send([{ topic: 'x', partition: 2, key: null, value: null, timestamp: 0 }]), 'PARTITION_NOT_FOUND', /Partition 2.*"x"/);
    await expectCode(
      p.send([
        { topic: 'x', partition: 0, key: null, value: buf('ok'), timestamp: 0 },
        { topic: 'x', partition: 0, key: 'str' as unknown as Buffer, value: null, timestamp: 0 },
      ]),
      'SERIALIZATION',
    );
    expect(await admin.listOffsets('x')).toEqual([
      { partition: 0, earliest: 0, latest: 0 },
      { partition: 1, earliest: 0, latest: 0 },
    ]);
    const c = b.consumer({});
    await expectCode(c.assign([{ topic: 'nope', partition: 0, offset: 0 }]), 'TOPIC_NOT_FOUND');
    await expectCode(c.subscribe(['x'], { onPartitionsAssigned: () => {}, onPartitionsRevoked: () => {} }), 'CONFIG_INVALID', /groupId/);
  });

  it('stores topic config and reports it with Kafka defaults; delete removes the topic', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'cfg', partitions: 3, config: { 'cleanup.policy': 'compact', 'segment.bytes': '4096' } }]);
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    const [d] = await b2.admin().describeTopics(['cfg']);
    expect(d.partitions).toBe(3);
    expect(d.config['cleanup.policy']).toBe('compact');
    expect(d.config['segment.bytes']).toBe('4096');
    expect(d.config['retention.ms']).toBe('604800000');
    expect(await b2.admin().listTopics()).toEqual(['cfg']);
    await b2.admin().deleteTopics(['cfg']);
    expect(await b2.admin().listTopics()).toEqual([]);
    await expectCode(b2.admin().deleteTopics(['cfg']), 'TOPIC_NOT_FOUND');
  });

  it('reads large volumes across segments and fetch limits exactly as a reference model', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'big', partitions: 2, config: { 'segment.bytes': '65536' } }]);
    const p = b.producer({});
    const model: string[][] = [[], []];
    for (let batch = 0; batch < 20; batch++) {
      const recs: ProducerRecord[] = [];
      for (let i = 0; i < 500; i++) {
        const part = (batch + i) % 2;
        const v = `v-${batch}-${i}-${'x'.repeat(i % 50)}`;
        recs.push({ topic: 'big', partition: part, key: buf(`k${i}`), value: buf(v), timestamp: batch * 1000 + i });
        model[part].push(v);
      }
      await p.send(recs);
    }
    for (const maxRecords of [7, 10_000]) {
      const seen = await readAll(b, 'big', { maxRecords });
      for (const part of [0, 1]) {
        const mine = seen.filter((r) => r.partition === part);
        expect(mine.map((r) => r.offset)).toEqual(model[part].map((_, i) => i));
        expect(mine.map((r) => r.value)).toEqual(model[part]);
      }
    }
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    const again = await readAll(b2, 'big');
    expect(again.length).toBe(10_000);
    // Seek into the middle of a segment.
    const c = b2.consumer({});
    await c.assign([{ topic: 'big', partition: 1, offset: 0 }]);
    c.seek({ topic: 'big', partition: 1 }, 3210);
    const got = flatten(await c.poll({ maxRecords: 3, maxWaitMs: 0 }));
    expect(got.map((r) => [r.offset, r.value])).toEqual([3210, 3211, 3212].map((o) => [o, model[1][o]]));
    await c.close();
  });

  it('poll wakes up on append instead of waiting out maxWaitMs, and honours autoOffsetReset', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'w', partitions: 1 }]);
    const p = b.producer({});
    await p.send([{ topic: 'w', key: null, value: buf('old'), timestamp: 1 }]);
    const latest = b.consumer({ groupId: 'g-latest', autoOffsetReset: 'latest' });
    await latest.assign([{ topic: 'w', partition: 0, offset: -1 }]);
    expect(await latest.poll({ maxRecords: 10, maxWaitMs: 0 })).toEqual([]);
    const started = Date.now();
    const pending = latest.poll({ maxRecords: 10, maxWaitMs: 20_000 });
    setTimeout(() => void p.send([{ topic: 'w', key: null, value: buf('new'), timestamp: 2 }]), 30);
    const got = flatten(await pending);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(got.map((r) => [r.offset, r.value])).toEqual([[1, 'new']]);
    const none = b.consumer({ groupId: 'g-none', autoOffsetReset: 'none' });
    await none.assign([{ topic: 'w', partition: 0, offset: -1 }]);
    await expectCode(none.poll({ maxRecords: 1, maxWaitMs: 0 }), 'OFFSET_OUT_OF_RANGE', /topic "w" partition 0/);
    await latest.close();
    await none.close();
  });
});
