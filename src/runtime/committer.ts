import type { LogConsumer, LogProducer, PartitionAppend, ProducerRecord, TopicPartitionOffset } from '../backend/backend-types.js';
import { isStreamwrightError } from '../errors/streamwright-error.js';

/** Kafka group errors that mean "this member no longer owns (all of) these partitions". */
const MIGRATED_KAFKA_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

/**
 * True when an offset commit failed because a rebalance moved (or is moving) the partitions away,
 * Kafka Streams' TaskMigratedException: the new owner resumes from the last committed offset.
 */
export function isTaskMigrated(err: unknown): boolean {
  if (!isStreamwrightError(err, 'BACKEND')) return false;
  const type = err.details.kafkaError;
  return (typeof type === 'string' && MIGRATED_KAFKA_ERRORS.has(type)) || /^Commit refused for .* not assigned to this member/.test(err.message);
}

/**
 * The commit path as one unit: outputs, input offsets (and, with state, changelog records) become
 * durable together. at_least_once: outputs are acknowledged before offsets are committed, so a
 * crash can only repeat work. exactly_once_v2: everything goes through one transaction.
 */
export interface Committer {
  readonly guarantee: 'at_least_once' | 'exactly_once_v2';
  /** Appends outputs and changelog records; returns where they landed. */
  send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]>;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Throws away uncommitted work (exactly-once aborts the open transaction). */
  abort(): Promise<void>;
  close(): Promise<void>;
}

export class AtLeastOnceCommitter implements Committer {
  readonly guarantee = 'at_least_once' as const;

  constructor(
    private readonly producer: LogProducer,
    private readonly consumer: LogConsumer,
    /** Told when a commit was refused because a rebalance moved the partitions (not fatal). */
    private readonly onMigrated: (err: Error) => void = () => undefined,
  ) {}

  async send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]> {
    return records.length > 0 ? this.producer.send(records) : [];
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.consumer.commit(offsets);
    } catch (err) {
      // Outputs are already acknowledged: skipping this commit can only make the partitions' next
      // owner repeat work since the last commit, never lose it (Kafka Streams: TaskMigratedException).
      if (!isTaskMigrated(err)) throw err;
      this.onMigrated(err as Error);
    }
  }

  async abort(): Promise<void> {}

  async close(): Promise<void> {
    await this.producer.close();
  }
}

export class ExactlyOnceCommitter implements Committer {
  readonly guarantee = 'exactly_once_v2' as const;
  private inTransaction = false;

  constructor(
    private readonly producer: LogProducer,
    private readonly groupId: string,
  ) {}

  async send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]> {
    if (records.length === 0) return [];
    await this.begin();
    return this.producer.send(records);
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0 && !this.inTransaction) return;
    await this.begin();
    if (offsets.length > 0) await this.producer.sendOffsetsToTransaction(this.groupId, offsets);
    await this.producer.commitTransaction();
    this.inTransaction = false;
  }

  async abort(): Promise<void> {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    await this.producer.abortTransaction();
  }

  async close(): Promise<void> {
    await this.abort().catch(() => undefined);
    await this.producer.close();
  }

  private async begin(): Promise<void> {
    if (this.inTransaction) return;
    await this.producer.beginTransaction();
    this.inTransaction = true;
  }
}
