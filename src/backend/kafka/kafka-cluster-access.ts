import type { Kafka } from 'kafkajs';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { FetchPartitionData } from './kafka-partition-fetch.js';

/** The part of a kafkajs broker connection a groupless reader uses. */
export interface BrokerLike {
  fetch(req: {
    readonly isolationLevel: number;
    readonly maxWaitTime: number;
    readonly minBytes: number;
    readonly maxBytes: number;
    readonly topics: readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number; readonly fetchOffset: string; readonly maxBytes: number }[] }[];
  }): Promise<{ readonly responses: readonly { readonly topicName: string; readonly partitions: readonly FetchPartitionData[] }[] }>;
}

/** The part of kafkajs's Cluster (metadata, leaders, broker connections, ListOffsets) a groupless reader uses. */
export interface ClusterLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: readonly string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): readonly { readonly partitionId: number; readonly leader: number | null }[];
  findLeaderForPartitions(topic: string, partitions: readonly number[]): Record<string, number[]>;
  findBroker(args: { readonly nodeId: string }): Promise<BrokerLike>;
  fetchTopicsOffset(
    topics: readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number }[]; readonly fromBeginning: boolean }[],
  ): Promise<readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number; readonly offset: string }[] }[]>;
}

/** kafkajs's isolation levels (protocol/isolationLevel.js). */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

const CREATE_CLUSTER = 'private:Kafka:createCluster';

/**
 * A kafkajs Cluster of its own (its own broker connections, metadata and retry settings taken from
 * the Kafka client's config), for reading partitions without a consumer group. kafkajs has no public
 * manual-assignment API; its Kafka client builds every producer's, consumer's and admin's Cluster
 * through a method stored under a private symbol, which this looks up by its description. That is a
 * kafkajs 2.2.x internal: test/backend/kafka runs manual assignment on every CI run, so an upgrade
 * that moves it fails there, with this message.
 */
export function createGrouplessCluster(kafka: Kafka, readCommitted: boolean): ClusterLike {
  const holder = kafka as unknown as Record<symbol, unknown>;
  const sym = Object.getOwnPropertySymbols(holder).find((s) => s.description === CREATE_CLUSTER);
  const create = sym === undefined ? undefined : holder[sym];
  if (typeof create !== 'function') {
    throw new StreamwrightError(
      'BACKEND',
      `Cannot create a manually assigned Kafka consumer: the installed kafkajs has no "${CREATE_CLUSTER}" method (Streamwright reads partitions without a group through it; it exists in kafkajs 2.2.x). Install kafkajs 2.2.x.`,
      {},
    );
  }
  return (create as (opts: Record<string, unknown>) => ClusterLike)({
    allowAutoTopicCreation: false,
    isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
    metadataMaxAge: 300_000,
  });
}
