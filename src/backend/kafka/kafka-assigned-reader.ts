import type { Kafka, KafkaMessage } from 'kafkajs';
import type { ConsumerOptions, FetchBatch, TopicPartition, TopicPartitionOffset } from '../backend-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { createGrouplessCluster, READ_COMMITTED, READ_UNCOMMITTED, type ClusterLike } from './kafka-cluster-access.js';
import { kafkaErrorChain, toStreamwrightError } from './kafka-errors.js';
import { resolveStartOffsets } from './kafka-offsets.js';
import { tpKey } from './kafka-fetch-buffer.js';
import { logBackendWarning } from './kafka-log-creator.js';
import { decodePartitionFetch, type FetchPartitionData } from './kafka-partition-fetch.js';
import { appendColumns, type ColumnBatch } from './kafka-record-mapper.js';
import { PollWaiter } from './kafka-poll-waiter.js';

interface Buffered {
  readonly messages: KafkaMessage[];
  next: number;
  readonly nextOffset: number;
  readonly end: number;
}

interface Part {
  readonly tp: TopicPartition;
  /** Next offset to read; -1 until resolved (committed offset of the group, else autoOffsetReset). */
  position: number;
  /** Resolve from autoOffsetReset even when the group has a committed offset (after OFFSET_OUT_OF_RANGE). */
  reset: boolean;
  paused: boolean;
  buffered: Buffered | undefined;
}

type Fetching = { readonly part: Part; readonly fetchOffset: number };

/**
 * A manually assigned Kafka consumer without a consumer group (Java's assign() + seek()): it fetches
 * straight from each partition's leader through a kafkajs Cluster of its own, so assign() costs a
 * metadata request, not a group join, and nothing is left on the broker. One fetch round at a time
 * runs in the background, for the partitions with nothing buffered; poll() hands out what the last
 * round brought and starts the next. assign() may be called again to replace the partitions.
 * Retriable fetch errors refresh metadata and back off (`retry.backoff.ms`, doubling up to
 * `retry.backoff.max.ms`); after `retries` in a row, poll() throws.
 */
export class KafkaAssignedReader {
  private readonly parts = new Map<string, Part>();
  private readonly cluster: ClusterLike;
  private connected: Promise<void> | undefined;
  private round: Promise<void> | undefined;
  private failure: StreamwrightError | undefined;
  private failedRounds = 0;
  private readonly waiter = new PollWaiter();
  private rotate = 0;
  private closed = false;
  private readonly readCommitted: boolean;

  constructor(
    kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly opts: ConsumerOptions,
    private readonly committed: (tps: readonly TopicPartition[]) => Promise<TopicPartitionOffset[]>,
  ) {
    this.readCommitted = opts.isolationLevel === 'read_committed';
    this.cluster = createGrouplessCluster(kafka, this.readCommitted);
  }

  private ctx(action: string, tp?: TopicPartition) {
    return { bootstrapServers: this.config.bootstrapServers, action, groupId: this.opts.groupId, ...(tp === undefined ? {} : { topic: tp.topic, partition: tp.partition }) };
  }

  private connect(): Promise<void> {
    this.connected ??= this.cluster.connect().catch((e: unknown) => {
      this.connected = undefined;
      throw e;
    });
    return this.connected;
  }

  /** Replaces the assignment. A partition kept with offset < 0 keeps its position (and buffered records). */
  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    const topics = [...new Set(partitions.map((p) => p.topic))];
    if (topics.length > 0) {
      try {
        await this.connect();
        await this.cluster.addMultipleTargetTopics(topics);
      } catch (e) {
        throw toStreamwrightError(e, this.ctx(`assigning partitions of ${topics.join(', ')}`));
      }
      for (const p of partitions) {
        if (!this.cluster.findTopicPartitionMetadata(p.topic).some((m) => m.partitionId === p.partition)) {
          throw new StreamwrightError('PARTITION_NOT_FOUND', `Cannot assign ${p.topic}-${p.partition}: Kafka at ${this.config.bootstrapServers} reports no such partition. Create the topic first or check its partition count.`, { topic: p.topic, partition: p.partition });
        }
      }
    }
    const next = new Map<string, Part>();
    for (const p of partitions) {
      const k = tpKey(p.topic, p.partition);
      const old = this.parts.get(k);
      if (old !== undefined && (p.offset < 0 || p.offset === old.position)) next.set(k, old);
      else next.set(k, { tp: { topic: p.topic, partition: p.partition }, position: p.offset >= 0 ? p.offset : -1, reset: false, paused: old?.paused ?? false, buffered: undefined });
    }
    this.parts.clear();
    for (const [k, part] of next) this.parts.set(k, part);
    this.notify();
  }

  assignment(): TopicPartition[] {
    return [...this.parts.values()].map((p) => ({ ...p.tp }));
  }

  private part(tp: TopicPartition, op: string): Part {
    const p = this.parts.get(tpKey(tp.topic, tp.partition));
    if (p === undefined) {
      throw new StreamwrightError('PARTITION_NOT_FOUND', `${op}: ${tp.topic}-${tp.partition} is not assigned to this consumer. Call it for partitions from assignment().`, { topic: tp.topic, partition: tp.partition });
    }
    return p;
  }

  seek(tp: TopicPartition, offset: number): void {
    const p = this.part(tp, 'seek');
    p.position = offset;
    p.reset = false;
    p.buffered = undefined;
  }

  /** Next offset poll() returns for `tp` (past skipped markers); -1 until resolved. */
  position(tp: TopicPartition): number {
    return this.part(tp, 'position').position;
  }

  pause(tps: readonly TopicPartition[]): void {
    const ps = tps.map((tp) => this.part(tp, 'pause'));
    for (const p of ps) {
      p.paused = true;
      p.buffered = undefined;
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.parts.get(tpKey(tp.topic, tp.partition));
      if (p !== undefined) p.paused = false;
    }
    this.notify();
  }

  async poll(maxRecords: number, maxWaitMs: number): Promise<FetchBatch[]> {
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const out = this.take(Math.max(1, maxRecords));
      this.startRound();
      if (out.length > 0 || this.closed) return out;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return out;
      await this.waiter.wait(remaining);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.parts.clear();
    this.notify();
    await this.cluster.disconnect().catch(() => undefined);
  }

  private notify(): void {
    this.waiter.notify();
  }

  /** Up to `max` buffered records, rotating the partition served first. */
  private take(max: number): FetchBatch[] {
    const out: FetchBatch[] = [];
    const parts = [...this.parts.values()];
    const n = parts.length;
    let budget = max;
    for (let j = 0; j < n && budget > 0; j++) {
      const p = parts[(this.rotate + j) % n];
      const b = p.buffered;
      if (b === undefined || p.paused) continue;
      const to = Math.min(b.messages.length, b.next + budget);
      const cols: ColumnBatch = { offsets: [], timestamps: [], keys: [], values: [], headers: [] };
      appendColumns(cols, b.messages, b.next, to);
      budget -= to - b.next;
      b.next = to;
      if (to === b.messages.length) {
        p.position = b.nextOffset;
        p.buffered = undefined;
      } else {
        p.position = cols.offsets[cols.offsets.length - 1] + 1;
      }
      out.push({ topic: p.tp.topic, partition: p.tp.partition, size: cols.offsets.length, ...cols, highWatermark: b.end });
    }
    this.rotate = n === 0 ? 0 : (this.rotate + 1) % n;
    return out;
  }

  private startRound(): void {
    if (this.round !== undefined || this.closed || this.failure !== undefined) return;
    let wanted = false;
    for (const p of this.parts.values()) if (!p.paused && p.buffered === undefined) wanted = true;
    if (!wanted) return;
    this.round = this.fetchRound().finally(() => {
      this.round = undefined;
      this.notify();
    });
  }

  private async fetchRound(): Promise<void> {
    try {
      await this.connect();
      await this.resolvePositions();
      const fetching = [...this.parts.values()].filter((p) => !p.paused && p.buffered === undefined && p.position >= 0);
      if (fetching.length === 0) return;
      await this.cluster.refreshMetadataIfNecessary();
      const byNode = new Map<string, Fetching[]>();
      for (const p of fetching) {
        const leaders = this.cluster.findLeaderForPartitions(p.tp.topic, [p.tp.partition]);
        const nodeId = Object.keys(leaders)[0];
        if (nodeId === undefined) throw Object.assign(new Error(`No leader known for ${p.tp.topic}-${p.tp.partition}`), { retriable: true });
        let list = byNode.get(nodeId);
        if (list === undefined) byNode.set(nodeId, (list = []));
        list.push({ part: p, fetchOffset: p.position });
      }
      const results = await Promise.allSettled([...byNode].map(([nodeId, list]) => this.fetchFrom(nodeId, list)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      this.failedRounds = 0;
    } catch (e) {
      if (!this.closed) await this.recover(e);
    }
  }

  private async fetchFrom(nodeId: string, list: readonly Fetching[]): Promise<void> {
    const broker = await this.cluster.findBroker({ nodeId });
    const byTopic = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
    for (const f of list) {
      let ps = byTopic.get(f.part.tp.topic);
      if (ps === undefined) byTopic.set(f.part.tp.topic, (ps = []));
      ps.push({ partition: f.part.tp.partition, fetchOffset: String(f.fetchOffset), maxBytes: this.config.maxPartitionFetchBytes });
    }
    const { responses } = await broker.fetch({
      isolationLevel: this.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
      maxWaitTime: this.config.fetchMaxWaitMs,
      minBytes: 1,
      maxBytes: Math.max(this.config.maxPartitionFetchBytes, 52_428_800),
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
    if (this.closed) return;
    for (const r of responses) for (const data of r.partitions) this.apply(r.topicName, data, list);
  }

  /** Buffers one partition's answer, unless the partition was re-assigned, sought or paused meanwhile. */
  private apply(topic: string, data: FetchPartitionData, list: readonly Fetching[]): void {
    const f = list.find((x) => x.part.tp.topic === topic && x.part.tp.partition === data.partition);
    if (f === undefined) return;
    const p = f.part;
    if (this.parts.get(tpKey(topic, data.partition)) !== p || p.position !== f.fetchOffset || p.paused || p.buffered !== undefined) return;
    const decoded = decodePartitionFetch(data, f.fetchOffset, this.readCommitted);
    if (decoded.messages.length > 0 || decoded.nextOffset > f.fetchOffset) {
      // An answer of markers / aborted records only is buffered too: poll() reports it as an empty
      // batch, so a reader waiting for an end offset (a restore) learns it is there.
      p.buffered = { messages: decoded.messages, next: 0, nextOffset: decoded.nextOffset, end: decoded.end };
    }
  }

  /** Positions of partitions assigned without an offset: the group's committed offset, else autoOffsetReset. */
  private async resolvePositions(): Promise<void> {
    const open = [...this.parts.values()].filter((p) => p.position < 0);
    if (open.length === 0) return;
    const starts = await resolveStartOffsets(
      open.map((p) => ({ ...p.tp, useCommitted: !p.reset })),
      { groupId: this.opts.groupId, autoOffsetReset: this.opts.autoOffsetReset ?? 'earliest' },
      this.committed,
      (topics) => this.cluster.fetchTopicsOffset(topics),
    );
    for (const o of starts) {
      const p = this.parts.get(tpKey(o.topic, o.partition));
      if (p !== undefined && p.position < 0) {
        p.position = o.offset;
        p.reset = false;
      }
    }
  }

  private async recover(e: unknown): Promise<void> {
    const chain = kafkaErrorChain(e);
    const outOfRange = chain.find((x) => x.name === 'KafkaJSOffsetOutOfRange') as { topic?: string; partition?: number } | undefined;
    if (outOfRange?.topic !== undefined && outOfRange.partition !== undefined && (this.opts.autoOffsetReset ?? 'earliest') !== 'none') {
      const p = this.parts.get(tpKey(outOfRange.topic, outOfRange.partition));
      if (p !== undefined) {
        logBackendWarning(this.config, `Offset ${p.position} of ${p.tp.topic}-${p.tp.partition} is out of range; resetting to the ${this.opts.autoOffsetReset ?? 'earliest'} offset (autoOffsetReset).`, { topic: p.tp.topic, partition: p.tp.partition });
        p.position = -1;
        p.reset = true;
        p.buffered = undefined;
      }
      return;
    }
    const retriable = !(e instanceof StreamwrightError) && outOfRange === undefined && (e as { retriable?: unknown } | null)?.retriable === true;
    if (!retriable || this.failedRounds >= this.config.retries) {
      const tried = this.failedRounds;
      this.failure = toStreamwrightError(e, this.ctx(tried > 0 ? `fetching (gave up after ${tried + 1} failed attempts in a row)` : 'fetching'));
      return;
    }
    this.failedRounds++;
    const delay = Math.min(this.config.retryBackoffMaxMs, this.config.retryBackoffMs * 2 ** (this.failedRounds - 1));
    await this.cluster.refreshMetadata().catch(() => undefined);
    await new Promise((r) => setTimeout(r, delay));
  }
}
