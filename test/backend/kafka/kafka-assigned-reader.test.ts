import { describe, expect, it } from 'vitest';
import type { Backend, LogConsumer } from '../../../src/backend/backend-types.js';
import { skipKafka, suiteTestCluster, uniqueName, waitFor } from './kafka-test-cluster.js';

/** Records `<partition>@<offset>=<value>` polled until `count` arrived. */
async function readN(c: LogConsumer, count: number, seen: string[] = []): Promise<string[]> {
  await waitFor(`${count} records`, 20_000, async () => {
    for (const b of await c.poll({ maxRecords: 100, maxWaitMs: 200 })) for (let i = 0; i < b.size; i++) seen.push(`${b.partition}@${b.offsets[i]}=${b.values[i]}`);
    return seen.length >= count ? true : undefined;
  });
  return seen;
}

/** Nothing more arrives within a few polls. */
async function nothingMore(c: LogConsumer): Promise<string[]> {
  const extra: string[] = [];
  for (let i = 0; i < 3; i++) for (const b of await c.poll({ maxRecords: 100, maxWaitMs: 150 })) for (let j = 0; j < b.size; j++) extra.push(`${b.partition}@${b.offsets[j]}`);
  return extra;
}

async function produce(backend: Backend, topic: string, partitions: number, perPartition: number, tag = 'v'): Promise<void> {
  const p = backend.producer({});
  try {
    const recs = [];
    for (let i = 0; i < partitions * perPartition; i++) recs.push({ topic, partition: i % partitions, key: null, value: Buffer.from(`${tag}${i}`), timestamp: i });
    await p.send(recs);
  } finally {
    await p.close();
  }
}

describe.skipIf(skipKafka)('kafka backend: manual assignment without a consumer group', { concurrent: true }, () => {
  const cluster = suiteTestCluster();

  it('reads from the given offsets without any group request, and assign() again replaces the partitions', async () => {
    const topic = uniqueName('assign');
    await cluster.createTopic(topic, 3);
    const requests: string[] = [];
    // kafkajs logs every request at debug level: a group join would show up as FindCoordinator / JoinGroup.
    const backend = cluster.backend({ 'log.level': 'debug', logger: { log: (_l, message) => void requests.push(message) } });
    await produce(backend, topic, 3, 3);
    // Partition p holds v(p), v(p+3), v(p+6) at offsets 0..2.
    const c = backend.consumer({ clientId: 'restore-like' });
    await c.assign([{ topic, partition: 0, offset: 1 }, { topic, partition: 1, offset: 0 }]);
    expect((await readN(c, 5)).sort()).toEqual(['0@1=v3', '0@2=v6', '1@0=v1', '1@1=v4', '1@2=v7']);
    expect(await nothingMore(c)).toEqual([]);
    // position(): the next offset poll() returns, here the end of both partitions.
    expect([c.position({ topic, partition: 0 }), c.position({ topic, partition: 1 })]).toEqual([3, 3]);

    // Java's assign(): the new set replaces the old one; partition 1 is dropped, partition 2 starts at 2.
    await c.assign([{ topic, partition: 0, offset: 0 }, { topic, partition: 2, offset: 2 }]);
    expect(c.assignment()).toEqual([{ topic, partition: 0 }, { topic, partition: 2 }]);
    expect((await readN(c, 4)).sort()).toEqual(['0@0=v0', '0@1=v3', '0@2=v6', '2@2=v8']);

    // seek, pause and resume.
    c.seek({ topic, partition: 2 }, 0);
    c.pause([{ topic, partition: 0 }]);
    await produce(backend, topic, 3, 1, 'w');
    expect((await readN(c, 4)).sort()).toEqual(['2@0=v2', '2@1=v5', '2@2=v8', '2@3=w2']);
    c.resume([{ topic, partition: 0 }]);
    expect(await readN(c, 1)).toEqual(['0@3=w0']);
    expect(await nothingMore(c)).toEqual([]);
    await c.close();
    const groupRequests = requests.filter((m) => /JoinGroup|SyncGroup|FindCoordinator/.test(m));
    expect(groupRequests, 'a manually assigned consumer sends no group request').toEqual([]);
    expect(requests.some((m) => /Request Fetch/.test(m)), 'the debug log shows the fetches (so the check above can fail)').toBe(true);
  });

  it('starts a partition assigned without an offset at the group\'s committed offset, else per autoOffsetReset', async () => {
    const topic = uniqueName('assign-resolve');
    await cluster.createTopic(topic, 2);
    const backend = cluster.backend();
    await produce(backend, topic, 2, 4);
    const groupId = uniqueName('g');
    const member = backend.consumer({ groupId });
    await member.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} });
    await waitFor('the group member to own both partitions', 20_000, async () => {
      await member.poll({ maxRecords: 1, maxWaitMs: 100 });
      return member.assignment().length === 2 ? true : undefined;
    });
    await member.commit([{ topic, partition: 0, offset: 3 }]);
    await member.close();

    // Partition 0 has a committed offset (3); partition 1 has none and resets to latest (4).
    const c = backend.consumer({ groupId, autoOffsetReset: 'latest' });
    await c.assign([{ topic, partition: 0, offset: -1 }, { topic, partition: 1, offset: -1 }]);
    const seen = await readN(c, 1);
    await produce(backend, topic, 2, 1, 'late');
    await readN(c, 3, seen);
    expect(seen.sort()).toEqual(['0@3=v6', '0@4=late0', '1@4=late1']);
    await c.close();

    // No group, 'none': there is nothing to start from, and poll() says so.
    const strict = backend.consumer({ autoOffsetReset: 'none' });
    await strict.assign([{ topic, partition: 0, offset: -1 }]);
    await expect(waitFor('the error', 10_000, async () => (await strict.poll({ maxRecords: 1, maxWaitMs: 100 }), undefined))).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await strict.close();
  });

  it('refuses a partition the topic does not have', async () => {
    const topic = uniqueName('assign-missing');
    await cluster.createTopic(topic, 1);
    const c = cluster.backend().consumer({});
    await expect(c.assign([{ topic, partition: 5, offset: 0 }])).rejects.toMatchObject({ code: 'PARTITION_NOT_FOUND' });
    await c.close();
  });
});
