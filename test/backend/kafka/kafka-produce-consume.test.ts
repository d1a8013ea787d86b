import { describe, expect, it } from 'vitest';
import type { FetchBatch, TopicPartition } from '../../../src/backend/backend-types.js';
import { partitionForKey } from '../../../src/backend/partitioner.js';
import { skipKafka, suiteTestCluster, uniqueName, waitFor } from './kafka-test-cluster.js';

// Tests use their own topics and groups, so they run concurrently: most of their time is the mock's 3 s first-join delay.
describe.skipIf(skipKafka)('kafka backend: produce and consume', { concurrent: true }, () => {
  const cluster = suiteTestCluster();

  it('round-trips keys, values, timestamps and headers, including null key and value', async () => {
    const topic = uniqueName('roundtrip');
    await cluster.createTopic(topic, 1);
    const backend = cluster.backend();
    const producer = backend.producer({});
    const appended = await producer.send([
      { topic, partition: 0, key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_001, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'h', value: Buffer.from('y') }, { key: 'e', value: Buffer.alloc(0) }] },
      { topic, partition: 0, key: null, value: null, timestamp: 1_700_000_000_002 },
      { topic, partition: 0, key: Buffer.from('k3'), value: Buffer.alloc(0), timestamp: 1_700_000_000_003 },
    ]);
    expect(appended).toEqual([{ topic, partition: 0, baseOffset: 0, lastOffset: 2 }]);

    const consumer = backend.consumer({ groupId: uniqueName('g'), autoOffsetReset: 'earliest' });
    const events: string[] = [];
    await consumer.subscribe([topic], {
      onPartitionsAssigned: (tps) => void events.push(`assigned ${tps.map((t) => `${t.topic}-${t.partition}`).join(',')}`),
      onPartitionsRevoked: (tps) => void events.push(`revoked ${tps.length}`),
    });
    const got: FetchBatch[] = [];
    await waitFor('3 records', 20_000, async () => {
      got.push(...(await consumer.poll({ maxRecords: 100, maxWaitMs: 200 })));
      return got.reduce((n, b) => n + b.size, 0) >= 3 ? true : undefined;
    });
    expect(events).toEqual([`assigned ${topic}-0`]);
    const offsets = got.flatMap((b) => b.offsets);
    expect(offsets).toEqual([0, 1, 2]);
    const b = got[0];
    expect(b.topic).toBe(topic);
    expect(b.keys[0]?.toString()).toBe('k1');
    expect(b.values[0]?.toString()).toBe('v1');
    expect(b.timestamps[0]).toBe(1_700_000_000_001);
    expect(b.headers[0]).toEqual([{ key: 'h', value: Buffer.from('x') }, { key: 'h', value: Buffer.from('y') }, { key: 'e', value: Buffer.alloc(0) }]);
    const all = { keys: got.flatMap((x) => x.keys), values: got.flatMap((x) => x.values), headers: got.flatMap((x) => x.headers), ts: got.flatMap((x) => x.timestamps) };
    expect(all.keys[1]).toBeNull();
    expect(all.values[1]).toBeNull();
    expect(all.headers[1]).toBeUndefined();
    expect(all.ts).toEqual([1_700_000_000_001, 1_700_000_000_002, 1_700_000_000_003]);
    expect(all.values[2]).toEqual(Buffer.alloc(0));
    expect(got[got.length - 1].highWatermark).toBe(3);
    await consumer.close();
    await producer.close();
  });

  it('places keyed records with murmur2 exactly like partitionForKey and reports per-partition offsets', async () => {
    const topic = uniqueName('placement');
    await cluster.createTopic(topic, 4);
    const backend = cluster.backend();
    const producer = backend.producer({});
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const appends = await producer.send(keys.map((k, i) => ({ topic, key: Buffer.from(k), value: Buffer.from(String(i)), timestamp: 1000 + i })));
    // Reference model: expected partition per key and contiguous offsets per partition from 0.
    const expected = new Map<number, string[]>();
    const order: number[] = [];
    for (const k of keys) {
      const p = partitionForKey(Buffer.from(k), 4);
      if (!expected.has(p)) {
        expected.set(p, []);
        order.push(p);
      }
      expected.get(p)!.push(k);
    }
    expect(appends).toEqual(order.map((p) => ({ topic, partition: p, baseOffset: 0, lastOffset: expected.get(p)!.length - 1 })));

    const consumer = backend.consumer({ groupId: uniqueName('g') });
    await consumer.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} });
    const seen = new Map<number, string[]>();
    let total = 0;
    await waitFor('40 records', 20_000, async () => {
      for (const b of await consumer.poll({ maxRecords: 7, maxWaitMs: 200 })) {
        expect(b.size).toBeLessThanOrEqual(7);
        const list = seen.get(b.partition) ?? [];
        for (let i = 0; i < b.size; i++) list.push(b.keys[i]!.toString());
        seen.set(b.partition, list);
        total += b.size;
      }
      return total >= 40 ? true : undefined;
    });
    expect(total).toBe(40);
    for (const [p, ks] of expected) expect(seen.get(p)).toEqual(ks);
    await consumer.close();
  });

  it('commits offsets as "next offset to read" and a new member resumes there', async () => {
    const topic = uniqueName('commit');
    const groupId = uniqueName('g');
    await cluster.createTopic(topic, 1);
    const backend = cluster.backend();
    const producer = backend.producer({});
    await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, key: null, value: Buffer.from(`v${i}`), timestamp: i })));
    const tp: TopicPartition = { topic, partition: 0 };

    const c1 = backend.consumer({ groupId });
    await c1.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} });
    expect(await waitFor('assignment', 20_000, async () => (await c1.poll({ maxRecords: 4, maxWaitMs: 200 })).length > 0 || undefined)).toBe(true);
    expect(await c1.committed([tp])).toEqual([{ topic, partition: 0, offset: -1 }]);
    await c1.commit([{ topic, partition: 0, offset: 4 }]);
    expect(await c1.committed([tp])).toEqual([{ topic, partition: 0, offset: 4 }]);
    const admin = backend.admin();
    expect(await admin.fetchCommittedOffsets(groupId, [topic])).toEqual([{ topic, partition: 0, offset: 4 }]);
    await c1.close();

    const c2 = backend.consumer({ groupId });
    await c2.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} });
    const first = await waitFor('records after commit', 20_000, async () => {
      const bs = await c2.poll({ maxRecords: 100, maxWaitMs: 200 });
      return bs.length > 0 ? bs[0] : undefined;
    });
    expect(first.offsets[0]).toBe(4);
    expect(first.values[0]?.toString()).toBe('v4');
    // seek moves the position; records before it are not returned again.
    c2.seek(tp, 8);
    const afterSeek = await waitFor('records after seek', 20_000, async () => {
      const bs = await c2.poll({ maxRecords: 100, maxWaitMs: 200 });
      return bs.length > 0 ? bs[0] : undefined;
    });
    expect(afterSeek.offsets).toEqual([8, 9]);
    await expect(c2.commit([{ topic, partition: 5, offset: 1 }])).rejects.toMatchObject({ code: 'BACKEND' });
    await c2.close();
    await admin.close();
  });

  it('rejects bad input with typed errors', async () => {
    const topic = uniqueName('bad');
    await cluster.createTopic(topic, 2);
    const backend = cluster.backend();
    const producer = backend.producer({});
    await expect(producer.send([{ topic, partition: 2, key: null, value: null, timestamp: 0 }])).rejects.toMatchObject({ code: 'PARTITION_NOT_FOUND' });
    await expect(producer.send([{ topic, key: null, value: null, timestamp: 0, headers: [{ key: 'n', value: null }] }])).rejects.toMatchObject({ code: 'SERIALIZATION' });
    if (!cluster.isMock) {
      // The librdkafka mock creates any topic a Metadata request names, so only a broker can answer this.
      await expect(producer.send([{ topic: uniqueName('missing'), key: null, value: null, timestamp: 0 }])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    }
    await expect(producer.beginTransaction()).rejects.toMatchObject({ code: 'TRANSACTION_STATE' });
    const consumer = backend.consumer({});
    await expect(consumer.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await consumer.close();
    await producer.close();
    await expect(producer.send([])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
  });
});
