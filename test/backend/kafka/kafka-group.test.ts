import { describe, expect, it } from 'vitest';
import type { LogConsumer, RebalanceListener, TopicPartition } from '../../../src/backend/backend-types.js';
import { skipKafka, suiteTestCluster, uniqueName, waitFor } from './kafka-test-cluster.js';

const fmt = (tps: readonly TopicPartition[]) => tps.map((t) => `${t.topic.split('-')[0]}-${t.partition}`).sort().join(',');

function recorder(name: string, log: string[], consumer: () => LogConsumer, commitOnRevoke: Map<string, number> | undefined): RebalanceListener {
  return {
    async onPartitionsRevoked(tps) {
      log.push(`${name} revoked ${fmt(tps)}`);
      // Commit inside the callback, as the runtime does: it must still own the partitions here.
      if (commitOnRevoke === undefined) return;
      const offsets = tps.map((t) => ({ ...t, offset: commitOnRevoke.get(`${t.topic}-${t.partition}`) ?? 0 }));
      if (offsets.length > 0) await consumer().commit(offsets);
    },
    onPartitionsAssigned(tps) {
      log.push(`${name} assigned ${fmt(tps)}`);
    },
  };
}

/** Eager-protocol model: per member, callbacks alternate assigned/revoked, and each revoke names
 * exactly the partitions of the assignment before it. */
function checkAlternation(log: readonly string[], member: string): void {
  let owned: string | undefined;
  for (const line of log.filter((l) => l.startsWith(`${member} `))) {
    const [, kind, parts = ''] = line.split(' ');
    if (kind === 'assigned') {
      expect(owned, `${member}: assigned twice without a revoke in ${JSON.stringify(log)}`).toBeUndefined();
      owned = parts;
    } else {
      expect(parts, `${member}: revoked partitions it did not own in ${JSON.stringify(log)}`).toBe(owned);
      owned = undefined;
    }
  }
}

// The two tests use their own topics and groups, so they run concurrently.
describe.skipIf(skipKafka)('kafka backend: consumer groups', { concurrent: true }, () => {
  const cluster = suiteTestCluster();

  it('co-partitions two topics across two members and hands over on close, revoking before the rejoin', async () => {
    const a = uniqueName('left');
    const b = uniqueName('right');
    await cluster.createTopic(a, 4);
    await cluster.createTopic(b, 4);
    const backend = cluster.backend();
    const groupId = uniqueName('g');
    const log: string[] = [];
    // Kafka accepts commits of the current generation while the group prepares a rebalance; the
    // librdkafka mock answers REBALANCE_IN_PROGRESS instead, so only a real broker checks that part.
    const commits = cluster.isMock ? undefined : new Map<string, number>();
    if (commits) for (let p = 0; p < 4; p++) commits.set(`${a}-${p}`, 10 + p);

    const c1 = backend.consumer({ groupId });
    await c1.subscribe([a, b], recorder('c1', log, () => c1, commits));
    await waitFor('c1 assignment', 20_000, async () => {
      await c1.poll({ maxRecords: 10, maxWaitMs: 100 });
      return c1.assignment().length === 8 ? true : undefined;
    });
    // Normally one assignment; a metadata refresh during the first join may add a revoke/assign pair.
    expect(log[log.length - 1]).toBe('c1 assigned left-0,left-1,left-2,left-3,right-0,right-1,right-2,right-3');
    checkAlternation(log, 'c1');
    const beforeC2 = log.length;

    const c2 = backend.consumer({ groupId });
    await c2.subscribe([a, b], recorder('c2', log, () => c2, commits));
    // Both poll until the group settles with 4 partitions each.
    await waitFor('two-member assignment', 30_000, async () => {
      await Promise.all([c1.poll({ maxRecords: 10, maxWaitMs: 100 }), c2.poll({ maxRecords: 10, maxWaitMs: 100 })]);
      return c1.assignment().length === 4 && c2.assignment().length === 4 ? true : undefined;
    });
    // Reference: assignByPartition gives partition p of both topics to one member; members split p by parity.
    for (const c of [c1, c2]) {
      const parts = c.assignment();
      const numbers = new Set(parts.map((t) => t.partition));
      expect(numbers.size).toBe(2);
      for (const n of numbers) expect(parts.filter((t) => t.partition === n).map((t) => t.topic).sort()).toEqual([a, b].sort());
      expect([...numbers].every((n) => n % 2 === [...numbers][0] % 2)).toBe(true);
    }
    // Eager protocol: c1 revoked everything (and its commit inside the callback succeeded) before its partitions moved.
    const c1Revoke = log.indexOf('c1 revoked left-0,left-1,left-2,left-3,right-0,right-1,right-2,right-3', beforeC2);
    const c2Assign = log.findIndex((l) => l.startsWith('c2 assigned'));
    expect(c1Revoke).toBeGreaterThanOrEqual(beforeC2);
    expect(c2Assign).toBeGreaterThan(c1Revoke);
    checkAlternation(log, 'c1');
    checkAlternation(log, 'c2');
    const admin = backend.admin();
    if (commits) {
      const committed = await admin.fetchCommittedOffsets(groupId, [a]);
      expect(committed.map((o) => o.offset)).toEqual([10, 11, 12, 13]);
    }

    const c2Before = c2.assignment().length;
    await c1.close();
    await waitFor('c2 takes over', 30_000, async () => {
      await c2.poll({ maxRecords: 10, maxWaitMs: 100 });
      return c2.assignment().length === 8 ? true : undefined;
    });
    expect(c2Before).toBe(4);
    const tail = log.slice(log.lastIndexOf('c2 assigned ' + fmt(c2.assignment())) - 1);
    expect(tail[0]).toMatch(/^c2 revoked /);
    expect(tail[1]).toBe('c2 assigned left-0,left-1,left-2,left-3,right-0,right-1,right-2,right-3');
    checkAlternation(log, 'c2');
    await c2.close();
    await admin.close();
  });

  it('manual assign() reads exactly the given partitions from the given offsets, without joining the group', async () => {
    const topic = uniqueName('manual');
    await cluster.createTopic(topic, 3);
    const backend = cluster.backend();
    const producer = backend.producer({});
    await producer.send(Array.from({ length: 9 }, (_, i) => ({ topic, partition: i % 3, key: null, value: Buffer.from(`v${i}`), timestamp: i })));
    const consumer = backend.consumer({ groupId: uniqueName('g') });
    await consumer.assign([{ topic, partition: 1, offset: 1 }, { topic, partition: 2, offset: 0 }]);
    expect(consumer.assignment()).toEqual([{ topic, partition: 1 }, { topic, partition: 2 }]);
    const seen: string[] = [];
    await waitFor('5 records', 20_000, async () => {
      for (const b of await consumer.poll({ maxRecords: 100, maxWaitMs: 200 })) for (let i = 0; i < b.size; i++) seen.push(`${b.partition}@${b.offsets[i]}=${b.values[i]}`);
      return seen.length >= 5 ? true : undefined;
    });
    // Partition 1 holds v1,v4,v7 at offsets 0..2 (start at 1); partition 2 holds v2,v5,v8.
    expect(seen.sort()).toEqual(['1@1=v4', '1@2=v7', '2@0=v2', '2@1=v5', '2@2=v8']);
    await expect(consumer.commit([{ topic, partition: 1, offset: 3 }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await consumer.close();
    await producer.close();
  });
});
