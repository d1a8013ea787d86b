import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogConsumer, RebalanceListener, TopicPartition } from '../../../src/backend/backend-types.js';
import type { KafkaBackendConfig } from '../../../src/backend/kafka/index.js';
import { isStreamwrightError } from '../../../src/errors/streamwright-error.js';
import { realBroker, skipKafka, startTestCluster, uniqueName, waitFor, type TestCluster } from './kafka-test-cluster.js';

// Kafka API keys and error codes (org.apache.kafka.common.protocol.ApiKeys / Errors).
const HEARTBEAT = 12;
const SYNC_GROUP = 14;
const INVALID_REQUEST = 42;
const GROUP_AUTHORIZATION_FAILED = 30;

const fmt = (tps: readonly TopicPartition[]) => tps.map((t) => `p${t.partition}`).sort().join(',');

interface Captured {
  readonly events: string[];
  readonly warnings: string[];
}

/** A backend whose warnings are captured. The session is short so the mock's rejoin delay
 * (session.timeout.ms - 1000) stays short, but well above the mock's 3 s first-join delay (3 s of
 * slack for a slow, loaded machine), or the member's session would expire while its first
 * JoinGroup waits. */
function recoveringBackend(cluster: TestCluster, captured: Captured, extra: Partial<KafkaBackendConfig> = {}) {
  const debugFile = process.env.STREAMWRIGHT_KAFKA_TEST_LOG;
  return cluster.backend({
    'session.timeout.ms': 6_000,
    'log.level': debugFile ? 'debug' : 'warn',
    logger: {
      log(level, message, fields) {
        if (debugFile) appendFileSync(debugFile, `${new Date().toISOString()} ${level} ${message} ${JSON.stringify(fields)}\n`);
        if (level === 'warn' && message.includes('recreating it and rejoining')) captured.warnings.push(message);
      },
    },
    ...extra,
  });
}

/** Records callbacks; on revoke it tries to commit `commitOnRevoke` and records whether that worked,
 * and how many partitions the consumer still reported as its own at that moment. */
function listener(captured: Captured, consumer: () => LogConsumer, commitOnRevoke?: (tps: readonly TopicPartition[]) => { topic: string; partition: number; offset: number }[]): RebalanceListener {
  return {
    async onPartitionsRevoked(tps) {
      captured.events.push(`revoked ${fmt(tps)} owning ${consumer().assignment().length}`);
      if (commitOnRevoke === undefined) return;
      try {
        await consumer().commit(commitOnRevoke(tps));
        captured.events.push('commit accepted');
      } catch (e) {
        captured.events.push(isStreamwrightError(e) ? `commit ${e.code}${e.message.includes('Commit refused') ? ' refused' : ''}` : `commit threw ${String(e)}`);
      }
    },
    onPartitionsAssigned(tps) {
      captured.events.push(`assigned ${fmt(tps)}`);
    },
  };
}

async function withCluster(body: (cluster: TestCluster) => Promise<void>): Promise<void> {
  // One mock per test: injected errors are cluster-wide, so concurrent tests must not share one.
  const cluster = await startTestCluster();
  try {
    await body(cluster);
  } finally {
    await cluster.stop();
  }
}

// Error injection needs the librdkafka mock; a real broker cannot be told to fail a request.
describe.skipIf(skipKafka || realBroker)('kafka backend: group member recovery after a kafkajs consumer crash', () => {
  it.concurrent('recovers from INVALID_REQUEST to its first SyncGroup (the mock answers a SyncGroup that arrives after the leader\'s with it) and gets its partitions', async () => {
    await withCluster(async (cluster) => {
      const topic = uniqueName('sync');
      await cluster.createTopic(topic, 2);
      const captured: Captured = { events: [], warnings: [] };
      const backend = recoveringBackend(cluster, captured);
      await cluster.injectErrors(SYNC_GROUP, [INVALID_REQUEST]);
      const c = backend.consumer({ groupId: uniqueName('g') });
      await c.subscribe([topic], listener(captured, () => c));
      await waitFor('assignment after recovery', 20_000, async () => {
        await c.poll({ maxRecords: 10, maxWaitMs: 100 });
        return c.assignment().length === 2 ? true : undefined;
      });
      // It owned nothing when it crashed: nothing to revoke, one assignment, one warning naming the cause.
      expect(captured.events).toEqual(['assigned p0,p1']);
      expect(captured.warnings).toHaveLength(1);
      expect(captured.warnings[0]).toContain('INVALID_REQUEST');
      expect(captured.warnings[0]).toContain('attempt 1 of 5');
      // The recreated member is a working group member: its commit is stored.
      await c.commit([{ topic, partition: 1, offset: 0 }]);
      expect(await c.committed([{ topic, partition: 1 }])).toEqual([{ topic, partition: 1, offset: 0 }]);
      await c.close();
    });
  });

  it.concurrent('a member that crashes while owning partitions loses them: revoke runs with commits refused, then it rejoins and resumes from the last commit', async () => {
    await withCluster(async (cluster) => {
      const topic = uniqueName('lost');
      await cluster.createTopic(topic, 2);
      const captured: Captured = { events: [], warnings: [] };
      const backend = recoveringBackend(cluster, captured);
      const producer = backend.producer({});
      // Partition p holds offsets 0..2 with values p:0, p:1, p:2.
      await producer.send(Array.from({ length: 6 }, (_, i) => ({ topic, partition: i % 2, key: null, value: Buffer.from(`${i % 2}:${Math.floor(i / 2)}`), timestamp: i })));
      const c = backend.consumer({ groupId: uniqueName('g') });
      // On revoke, try to commit everything as processed (offset 3): must be refused for lost partitions.
      await c.subscribe([topic], listener(captured, () => c, (tps) => tps.map((t) => ({ ...t, offset: 3 }))));
      const seen: string[] = [];
      const read = async () => {
        for (const b of await c.poll({ maxRecords: 100, maxWaitMs: 100 })) for (let i = 0; i < b.size; i++) seen.push(`${b.partition}@${b.offsets[i]}`);
      };
      await waitFor('first 6 records', 20_000, async () => {
        await read();
        return seen.length >= 6 ? true : undefined;
      });
      // Processed two records per partition: the next offset to read is 2.
      await c.commit([{ topic, partition: 0, offset: 2 }, { topic, partition: 1, offset: 2 }]);
      seen.length = 0;

      // The coordinator answers the next heartbeat with INVALID_REQUEST: kafkajs treats it as fatal.
      await cluster.injectErrors(HEARTBEAT, [INVALID_REQUEST]);
      await waitFor('reassignment after the crash', 20_000, async () => {
        await read();
        return captured.events.filter((e) => e.startsWith('assigned')).length === 2 && seen.length >= 2 ? true : undefined;
      });
      // Eager model of a lost membership: the revoke names the lost partitions while the consumer
      // already owns none, the commit inside it is refused, then the partitions come back.
      expect(captured.events).toEqual(['assigned p0,p1', 'revoked p0,p1 owning 0', 'commit BACKEND refused', 'assigned p0,p1']);
      expect(captured.warnings).toHaveLength(1);
      expect(captured.warnings[0]).toMatch(/partitions .*-0, .*-1 count as lost/);
      // Redelivery starts at the committed offsets, not where the dead consumer had read to.
      expect(seen.sort()).toEqual(['0@2', '1@2']);
      const committed = await c.committed([{ topic, partition: 0 }, { topic, partition: 1 }]);
      expect(committed.map((o) => o.offset)).toEqual([2, 2]);
      await c.close();
      await producer.close();
    });
  });

  it.concurrent('surfaces a BACKEND error once `retries` recoveries in a row have failed, never having assigned anything', async () => {
    await withCluster(async (cluster) => {
      const topic = uniqueName('exhaust');
      await cluster.createTopic(topic, 2);
      const captured: Captured = { events: [], warnings: [] };
      const backend = recoveringBackend(cluster, captured, { retries: 1 });
      // The first join and the recreated consumer's join both get INVALID_REQUEST to their SyncGroup:
      // a recovery whose own consumer crashes counts as a failed attempt.
      await cluster.injectErrors(SYNC_GROUP, [INVALID_REQUEST, INVALID_REQUEST]);
      const groupId = uniqueName('g');
      const c = backend.consumer({ groupId });
      await c.subscribe([topic], listener(captured, () => c));
      const err = await waitFor('the surfaced failure', 20_000, async () => {
        try {
          await c.poll({ maxRecords: 10, maxWaitMs: 100 });
          return undefined;
        } catch (e) {
          return e;
        }
      });
      expect(isStreamwrightError(err, 'BACKEND')).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain('gave up after 1 failed attempt in a row');
      expect(message).toContain('INVALID_REQUEST');
      expect(message).toContain(`group ${groupId}`);
      expect(captured.warnings.map((w) => w.match(/attempt \d of \d/)?.[0])).toEqual(['attempt 1 of 1']);
      expect(captured.events).toEqual([]);
      await c.close();
    });
  });

  it.concurrent('does not retry a crash that is not a membership problem (GROUP_AUTHORIZATION_FAILED): poll() throws it at once', async () => {
    await withCluster(async (cluster) => {
      const topic = uniqueName('fatal');
      await cluster.createTopic(topic, 1);
      const captured: Captured = { events: [], warnings: [] };
      const backend = recoveringBackend(cluster, captured);
      await cluster.injectErrors(SYNC_GROUP, [GROUP_AUTHORIZATION_FAILED]);
      const c = backend.consumer({ groupId: uniqueName('g') });
      await c.subscribe([topic], listener(captured, () => c));
      const err = await waitFor('the failure', 20_000, async () => {
        try {
          await c.poll({ maxRecords: 10, maxWaitMs: 100 });
          return undefined;
        } catch (e) {
          return e;
        }
      });
      expect(isStreamwrightError(err, 'BACKEND')).toBe(true);
      expect((err as Error).message).toContain('GROUP_AUTHORIZATION_FAILED');
      expect((err as Error).message).not.toContain('gave up');
      expect(captured.warnings).toEqual([]);
      expect(captured.events).toEqual([]);
      await c.close();
    });
  });
});
