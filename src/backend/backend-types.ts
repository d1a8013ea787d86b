/**
 * The narrow interfaces every log backend implements: the embedded durable log (default)
 * and Apache Kafka through kafkajs. The runtime, the CLI and the test driver see only these,
 * so the two backends are interchangeable.
 *
 * Offsets are JS numbers (exact up to 2^53). A committed offset is, as in Kafka, the offset of
 * the next record to read. Timestamps are epoch milliseconds.
 */

export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** Next offset to read. -1 in answers means "no committed offset". */
  readonly offset: number;
}

/** A record to append. Without `partition`, the backend uses Kafka's default partitioner
 * (murmur2 of the key bytes, see partitioner.ts; round-robin for null keys). */
export interface ProducerRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers?: readonly Header[];
}

/** Where a send landed: one entry per (topic, partition) touched, in the order first touched.
 * Records of one partition are appended contiguously in the order given. */
export interface PartitionAppend extends TopicPartition {
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/**
 * Records fetched from one partition, column-wise (no object per record).
 * All arrays have length `size`; index i is one record. A batch may be empty (size 0) when the
 * consumer only passed over records it does not deliver (transaction markers, aborted records);
 * its highWatermark still tells the reader how far the partition goes.
 */
export interface FetchBatch extends TopicPartition {
  readonly size: number;
  readonly offsets: readonly number[];
  readonly timestamps: readonly number[];
  readonly keys: readonly (Buffer | null)[];
  readonly values: readonly (Buffer | null)[];
  /** undefined for a record without headers. */
  readonly headers: readonly (readonly Header[] | undefined)[];
  /** For read_committed consumers the last stable offset, else the high watermark (end offset). */
  readonly highWatermark: number;
}

export type IsolationLevel = 'read_committed' | 'read_uncommitted';
export type OffsetReset = 'earliest' | 'latest' | 'none';

export interface RebalanceListener {
  /** Called before partitions are taken away: commit and close the tasks that own them. */
  onPartitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> | void;
  /** Called after partitions are given to this member: create tasks, restore, resume. */
  onPartitionsAssigned(partitions: readonly TopicPartition[]): Promise<void> | void;
  /**
   * Optional. A member of the group asked every member to shut down (LogConsumer.requestGroupShutdown,
   * Kafka Streams' SHUTDOWN_APPLICATION): called once inside poll(), after onPartitionsRevoked for
   * everything this member owned; no assignment follows. The member should stop and close.
   */
  onGroupShutdown?(): Promise<void> | void;
}

export interface ConsumerOptions {
  /** Consumer group; required for subscribe() and commit(). */
  readonly groupId?: string;
  readonly clientId?: string;
  /** Default 'read_uncommitted' as in Kafka; exactly-once apps use 'read_committed'. */
  readonly isolationLevel?: IsolationLevel;
  /** Where to start a partition that has no committed offset. Default 'earliest'. */
  readonly autoOffsetReset?: OffsetReset;
  readonly sessionTimeoutMs?: number;
  /**
   * `host:port` this member advertises to the rest of its group (Kafka Streams'
   * `application.server`), so every member can tell which instance hosts which partitions (see
   * LogConsumer.groupMetadata). Only meaningful for subscribe(); the backend does not check it.
   */
  readonly applicationServer?: string;
}

/** One member of a consumer group and the partitions the group's last assignment gave it. */
export interface GroupMemberMetadata {
  readonly memberId: string;
  /** The member's ConsumerOptions.applicationServer; undefined when it advertised none. */
  readonly host?: string;
  /** Sorted by topic, then partition. */
  readonly partitions: readonly TopicPartition[];
}

/** Who is in the group and who was assigned what, as this member last learned it. */
export interface GroupMetadata {
  /** This consumer's own member id (one of `members`). */
  readonly memberId: string;
  /** Every member, sorted by member id. */
  readonly members: readonly GroupMemberMetadata[];
}

export interface LogConsumer {
  /** Join the consumer group and subscribe; partitions arrive through the listener. */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): Promise<void>;
  /**
   * Kafka Streams' SHUTDOWN_APPLICATION signal (its assignment error code SHUTDOWN_REQUESTED). Call
   * before subscribe(): this member then joins with a shutdown request, and as long as it stays in
   * the group, every member of the group (this one included) gets no partitions and
   * RebalanceListener.onGroupShutdown instead (on Kafka through the group protocol's userData, see
   * kafka-group-metadata-codec.ts). A member that was told keeps the signal if the requester leaves.
   */
  requestGroupShutdown(): void;
  /**
   * Manual assignment without group membership (Java's assign() + seek(); restoration, global
   * tables, CLI): no join, no rebalance, nothing registered with a group. Each call replaces the
   * assignment. A partition starts at its given offset; with offset -1 it keeps its current
   * position if it was already assigned, else starts at the group's committed offset (when
   * groupId is set) or per autoOffsetReset. commit() may be unsupported (Kafka: use a transactional
   * producer's sendOffsetsToTransaction). Not allowed on a subscribed consumer.
   */
  assign(partitions: readonly TopicPartitionOffset[]): Promise<void>;
  /** The partitions this consumer currently reads. */
  assignment(): TopicPartition[];
  seek(tp: TopicPartition, offset: number): void;
  /**
   * Java's position(): the offset of the next record poll() will return for an assigned partition,
   * past any transaction markers and aborted records already skipped, so a reader can tell it has
   * reached an end offset even when no record sits just before it. -1 while not yet known (assigned
   * without an offset, before the first fetch resolved it). The Kafka backend answers it for
   * manually assigned consumers only (CONFIG_INVALID for a subscribed one).
   */
  position(tp: TopicPartition): number;
  pause(tps: readonly TopicPartition[]): void;
  resume(tps: readonly TopicPartition[]): void;
  /**
   * Up to `maxRecords` records over the assigned partitions; waits up to `maxWaitMs` when nothing
   * is available, then resolves with []. Rebalance callbacks run inside poll(), never concurrently
   * with the caller's processing of a previous poll's result.
   */
  poll(opts: { readonly maxRecords: number; readonly maxWaitMs: number }): Promise<FetchBatch[]>;
  /** Committed offsets of this consumer's group (offset -1 where none). */
  committed(tps: readonly TopicPartition[]): Promise<TopicPartitionOffset[]>;
  /** Non-transactional offset commit (at-least-once). */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional (interactive-query metadata): the group's membership and assignment as of the last
   * completed rebalance this member took part in, with every member's applicationServer.
   * undefined when the consumer is not subscribed or has not joined yet. Synchronous: it answers
   * from what the member already knows, with no request to the backend.
   */
  groupMetadata?(): GroupMetadata | undefined;
}

export interface ProducerOptions {
  readonly clientId?: string;
  /** Makes the producer transactional; an older producer with the same id is fenced. */
  readonly transactionalId?: string;
}

export interface LogProducer {
  readonly transactional: boolean;
  /** Appends; resolves once acknowledged (durable per the backend's flush policy). Inside a
   * transaction, records become visible to read_committed readers only at commit. */
  send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]>;
  beginTransaction(): Promise<void>;
  /** Offsets committed for `groupId` atomically with the transaction's records. */
  sendOffsetsToTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Kafka topic configs: cleanup.policy, retention.ms, retention.bytes, segment.bytes, ... */
  readonly config?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset. */
  readonly earliest: number;
  /** End offset (offset the next append gets). */
  readonly latest: number;
}

export interface LogAdmin {
  /** TOPIC_EXISTS unless ifNotExists; TOPIC_INVALID_NAME for a bad name. */
  createTopics(specs: readonly TopicSpec[], opts?: { readonly ifNotExists?: boolean }): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** TOPIC_NOT_FOUND names the missing topic. */
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>;
  listOffsets(topic: string): Promise<PartitionOffsets[]>;
  fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]>;
  close(): Promise<void>;
}

export type BackendKind = 'embedded' | 'kafka';

export interface Backend {
  readonly kind: BackendKind;
  /** Human-readable, e.g. "embedded log at ./data" or "kafka at localhost:9092". */
  readonly description: string;
  admin(): LogAdmin;
  consumer(opts: ConsumerOptions): LogConsumer;
  producer(opts: ProducerOptions): LogProducer;
  close(): Promise<void>;
}
