import { describe, expect, it } from 'vitest';
import type { LogConsumer, LogProducer, TopicPartitionOffset } from '../../src/backend/backend-types.js';
import { StreamwrightError } from '../../src/errors/streamwright-error.js';
import { AtLeastOnceCommitter, isTaskMigrated } from '../../src/runtime/committer.js';

/** A consumer whose commit() fails with `error` (or succeeds and records the offsets). */
function consumerFailingWith(error: Error | undefined, committed: TopicPartitionOffset[][]): LogConsumer {
  return {
    commit: async (offsets: readonly TopicPartitionOffset[]) => {
      if (error) throw error;
      committed.push([...offsets]);
    },
  } as unknown as LogConsumer;
}

const producer = { send: async () => [], close: async () => undefined } as unknown as LogProducer;
const offsets = [{ topic: 'in', partition: 0, offset: 7 }];

describe('the stream thread commit path when a rebalance moves partitions', () => {
  it('recognises Kafka group errors and refused commits as task migration, and nothing else', () => {
    const kafka = (type: string) => new StreamwrightError('BACKEND', `Kafka failed [${type}]`, { kafkaError: type });
    for (const t of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']) expect(isTaskMigrated(kafka(t)), t).toBe(true);
    expect(isTaskMigrated(new StreamwrightError('BACKEND', 'Commit refused for in-0 offset 3: the partition is not assigned to this member of group g (a rebalance moved it).'))).toBe(true);
    expect(isTaskMigrated(kafka('NOT_COORDINATOR'))).toBe(false);
    expect(isTaskMigrated(new StreamwrightError('BACKEND', 'Cannot reach Kafka at x:9092'))).toBe(false);
    expect(isTaskMigrated(new StreamwrightError('LOG_CLOSED', 'closed', { kafkaError: 'REBALANCE_IN_PROGRESS' }))).toBe(false);
    expect(isTaskMigrated(new Error('REBALANCE_IN_PROGRESS'))).toBe(false);
  });

  it('at_least_once: a migrated commit is reported and skipped; any other failure still fails the thread', async () => {
    const committed: TopicPartitionOffset[][] = [];
    const told: Error[] = [];
    const migrated = new StreamwrightError('BACKEND', 'rebalancing', { kafkaError: 'REBALANCE_IN_PROGRESS' });
    await new AtLeastOnceCommitter(producer, consumerFailingWith(migrated, committed), (e) => told.push(e)).commit(offsets);
    expect(told).toEqual([migrated]);

    const other = new StreamwrightError('BACKEND', 'disk on fire', { kafkaError: 'KAFKA_STORAGE_ERROR' });
    await expect(new AtLeastOnceCommitter(producer, consumerFailingWith(other, committed), (e) => told.push(e)).commit(offsets)).rejects.toBe(other);
    expect(told).toHaveLength(1);

    await new AtLeastOnceCommitter(producer, consumerFailingWith(undefined, committed)).commit(offsets);
    expect(committed).toEqual([offsets]);
  });
});
