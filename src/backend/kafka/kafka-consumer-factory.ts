import type { Consumer, Kafka, PartitionAssigner } from 'kafkajs';
import type { ConsumerOptions } from '../backend-types.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';

/**
 * A kafkajs consumer configured from the backend config (Java client names mapped onto kafkajs's).
 * kafkajs's own restart-on-crash is off: group members recover through KafkaMemberLifecycle instead
 * (bounded, with the partitions reported lost).
 */
export function createKafkaJsConsumer(
  kafka: Kafka,
  config: ResolvedKafkaConfig,
  opts: ConsumerOptions,
  groupId: string,
  assigner: PartitionAssigner,
): Consumer {
  const session = opts.sessionTimeoutMs ?? config.sessionTimeoutMs;
  const retry = { retries: config.retries, initialRetryTime: config.retryBackoffMs, maxRetryTime: config.retryBackoffMaxMs };
  return kafka.consumer({
    groupId,
    partitionAssigners: [assigner],
    sessionTimeout: session,
    rebalanceTimeout: config.rebalanceTimeoutMs,
    heartbeatInterval: Math.min(config.heartbeatIntervalMs, Math.max(1, Math.floor(session / 3))),
    maxWaitTimeInMs: config.fetchMaxWaitMs,
    maxBytesPerPartition: config.maxPartitionFetchBytes,
    readUncommitted: (opts.isolationLevel ?? 'read_uncommitted') === 'read_uncommitted',
    allowAutoTopicCreation: false,
    retry: { ...retry, restartOnFailure: () => Promise.resolve(false) },
  });
}
