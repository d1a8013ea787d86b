import { describe, expect, it } from 'vitest';
import type { GroupMetadata, LogConsumer, RebalanceListener, TopicPartition } from '../../../src/backend/backend-types.js';
import { skipKafka, suiteTestCluster, uniqueName } from './kafka-test-cluster.js';

const quiet: RebalanceListener = { onPartitionsRevoked() {}, onPartitionsAssigned() {} };
const names = (tps: readonly TopicPartition[]) => tps.map((t) => `${t.topic}-${t.partition}`).sort();

/** Polls both members (bounded) until each owns part of the topic and both hold a two-member map. */
async function settle(cs: readonly LogConsumer[], partitions: number, timeoutMs: number): Promise<GroupMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await Promise.all(cs.map((c) => c.poll({ maxRecords: 100, maxWaitMs: 200 })));
    const metas = cs.map((c) => c.groupMetadata?.());
    const owned = cs.map((c) => c.assignment().length);
    if (owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === partitions && metas.every((m) => m !== undefined && m.members.length === cs.length)) {
      return metas as GroupMetadata[];
    }
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for both members to be assigned`);
}

describe.skipIf(skipKafka)('kafka backend: group metadata in the assignment userData', () => {
  const cluster = suiteTestCluster();

  it('both members decode the same map: hosts from the subscriptions, partitions as each member was assigned', async () => {
    const topic = uniqueName('gm');
    await cluster.createTopic(topic, 5);
    const groupId = uniqueName('gm-group');
    const c1 = cluster.backend().consumer({ groupId, clientId: 'one', applicationServer: 'one.example:8080' });
    const c2 = cluster.backend().consumer({ groupId, clientId: 'two' });
    try {
      expect(c1.groupMetadata?.()).toBeUndefined();
      await c1.subscribe([topic], quiet);
      await c2.subscribe([topic], quiet);
      const [m1, m2] = await settle([c1, c2], 5, 60_000);
      expect(m1.members).toEqual(m2.members);
      expect(m1.memberId).not.toBe(m2.memberId);
      const [e1, e2] = [m1, m2].map((m) => m.members.find((x) => x.memberId === m.memberId)!);
      expect(e1.host).toBe('one.example:8080');
      expect(e2.host).toBeUndefined();
      // Each member's entry is what it was really assigned...
      expect(names(e1.partitions)).toEqual(names(c1.assignment()));
      expect(names(e2.partitions)).toEqual(names(c2.assignment()));
      // ...and the split is the co-partitioning reference: partition p to (sorted member ids)[p mod 2].
      const sorted = [m1.memberId, m2.memberId].sort();
      for (const e of [e1, e2]) expect(e.partitions.map((t) => t.partition)).toEqual([0, 1, 2, 3, 4].filter((p) => sorted[p % 2] === e.memberId));
    } finally {
      await Promise.all([c1.close(), c2.close()]);
    }
    expect(c1.groupMetadata?.()).toBeUndefined();
  });
});
