import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ConsumerOptions, FetchBatch, LogConsumer, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../backend-types.js';
import { validateTopicName } from '../topic-name.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { toStreamwrightError } from './kafka-errors.js';
import { FetchBuffer, tpKey } from './kafka-fetch-buffer.js';
import { coPartitioningAssigner, installJoinHook, manualAssigner } from './kafka-group-hooks.js';
import { flattenAssignment, RebalanceState } from './kafka-rebalance-state.js';
import { fetchCommitted } from './kafka-offsets.js';

const NO_LISTENER: RebalanceListener = { onPartitionsRevoked() {}, onPartitionsAssigned() {} };

/**
 * LogConsumer over kafkajs's push consumer. kafkajs runs `eachBatch` from its fetch loop; each call
 * parks its batch in a FetchBuffer and waits (heartbeating) until poll() has taken every record, so
 * fetching is paced by the runtime. Group mode uses our co-partitioning assignor and delivers eager
 * rebalance callbacks inside poll(): revoked before JoinGroup is sent, assigned after SyncGroup.
 *
 * Manual assign() has no kafkajs equivalent: it runs a member of a private, single-member group
 * (`<groupId|client.id>-assign-<uuid>`) whose assignor hands it exactly the requested partitions, then
 * seeks them. It never commits to that group; see docs/kafka-backend.md for the trade-off.
 */
export class KafkaLogConsumer implements LogConsumer {
  private consumer: Consumer | undefined;
  private mode: 'none' | 'group' | 'manual' = 'none';
  private listener: RebalanceListener = NO_LISTENER;
  private readonly buffer = new FetchBuffer();
  private readonly rebalance = new RebalanceState();
  private readonly paused = new Set<string>();
  private manualAssignment: TopicPartition[] = [];
  private failure: StreamwrightError | undefined;
  private wake: (() => void) | undefined;
  private polling = false;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly opts: ConsumerOptions,
    private readonly admin: () => Promise<Admin>,
    private readonly onClose: (c: KafkaLogConsumer) => void,
  ) {}

  private ctx(action: string, extra: { topic?: string; partition?: number; offset?: number } = {}) {
    return { bootstrapServers: this.config.bootstrapServers, action, groupId: this.opts.groupId, ...extra };
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new StreamwrightError('LOG_CLOSED', `Consumer is closed; cannot ${op}. Create a new consumer.`, {});
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private createKafkaConsumer(groupId: string, assigner: ReturnType<typeof manualAssigner>): Consumer {
    const session = this.opts.sessionTimeoutMs ?? this.config.sessionTimeoutMs;
    return this.kafka.consumer({
      groupId,
      partitionAssigners: [assigner],
      sessionTimeout: session,
      rebalanceTimeout: this.config.rebalanceTimeoutMs,
      heartbeatInterval: Math.min(this.config.heartbeatIntervalMs, Math.max(1, Math.floor(session / 3))),
      maxWaitTimeInMs: this.config.fetchMaxWaitMs,
      maxBytesPerPartition: this.config.maxPartitionFetchBytes,
      readUncommitted: (this.opts.isolationLevel ?? 'read_uncommitted') === 'read_uncommitted',
      allowAutoTopicCreation: false,
      retry: { retries: this.config.retries, initialRetryTime: this.config.retryBackoffMs, maxRetryTime: this.config.retryBackoffMaxMs },
    });
  }

  private watch(consumer: Consumer): void {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const tps = flattenAssignment(e.payload.memberAssignment);
      if (this.mode === 'manual') {
        for (const tp of this.manualAssignment) {
          const o = (tp as TopicPartitionOffset).offset;
          if (o !== undefined && o >= 0) consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(o) });
        }
        return;
      }
      this.rebalance.assigned(tps);
      this.notify();
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.buffer.dropAll();
      this.rebalance.lose();
      if (!e.payload.restart) {
        this.failure = toStreamwrightError(e.payload.error, this.ctx('consuming'));
      }
      this.notify();
    });
  }

  private eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (batch.isEmpty() || !payload.isRunning() || payload.isStale() || this.closed) return;
    let released = false;
    const done = new Promise<void>((resolve) => {
      this.buffer.add({
        key: tpKey(batch.topic, batch.partition),
        batch,
        next: 0,
        resolveOffset: payload.resolveOffset,
        release: () => {
          released = true;
          resolve();
        },
      });
    });
    this.notify();
    const interval = Math.max(50, Math.floor(this.config.heartbeatIntervalMs / 2));
    while (!released) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, interval)))]);
      clearTimeout(timer);
      if (released) return;
      if (!payload.isRunning() || this.closed) {
        this.buffer.drop(batch);
        return;
      }
      try {
        await payload.heartbeat();
      } catch (e) {
        // A rebalance: kafkajs rejoins, and our join hook delivers onPartitionsRevoked first.
        this.buffer.drop(batch);
        throw e;
      }
    }
  };

  private beforeJoin = async (): Promise<void> => {
    if (this.closed) return;
    this.buffer.dropAll();
    const revoked = this.rebalance.prepareJoin();
    if (revoked === undefined) return;
    this.notify();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      revoked.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.config.rebalanceTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.rebalance.lose();
  };

  async subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): Promise<void> {
    this.checkOpen('subscribe');
    if (this.mode !== 'none') {
      throw new StreamwrightError('APP_STATE', `Consumer is already ${this.mode === 'group' ? 'subscribed' : 'manually assigned'}; a consumer subscribes or assigns once. Create another consumer.`, {});
    }
    const groupId = this.opts.groupId;
    if (groupId === undefined || groupId.length === 0) {
      throw new StreamwrightError('CONFIG_INVALID', 'subscribe() needs ConsumerOptions.groupId: group membership and commits are per consumer group.', {});
    }
    if (Array.isArray(topics)) for (const t of topics) validateTopicName(t);
    this.mode = 'group';
    this.listener = listener;
    const consumer = this.createKafkaConsumer(groupId, coPartitioningAssigner((cluster) => installJoinHook(cluster, this.beforeJoin)));
    this.consumer = consumer;
    this.watch(consumer);
    await this.start(consumer, topics instanceof RegExp ? [topics] : [...topics]);
  }

  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen('assign');
    if (this.mode !== 'none') {
      throw new StreamwrightError('APP_STATE', `Consumer is already ${this.mode === 'group' ? 'subscribed' : 'manually assigned'}; a consumer subscribes or assigns once. Create another consumer.`, {});
    }
    for (const tp of partitions) validateTopicName(tp.topic);
    this.mode = 'manual';
    this.manualAssignment = partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }) as TopicPartitionOffset);
    if (partitions.length === 0) return;
    const privateGroup = `${this.opts.groupId ?? this.config.clientId}-assign-${randomUUID()}`;
    const consumer = this.createKafkaConsumer(privateGroup, manualAssigner(this.manualAssignment));
    this.consumer = consumer;
    this.watch(consumer);
    await this.start(consumer, [...new Set(partitions.map((p) => p.topic))]);
  }

  private async start(consumer: Consumer, topics: (string | RegExp)[]): Promise<void> {
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: (this.opts.autoOffsetReset ?? 'earliest') !== 'latest' });
    } catch (e) {
      await consumer.disconnect().catch(() => undefined);
      throw toStreamwrightError(e, this.ctx(`subscribing to ${topics.map(String).join(', ')}`));
    }
    // run() resolves after the first join; joins wait for poll() (revocations), so do not await it here.
    consumer
      .run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently, eachBatch: this.eachBatch })
      .catch((e: unknown) => {
        this.failure = toStreamwrightError(e, this.ctx('joining the consumer group'));
        this.notify();
      });
  }

  assignment(): TopicPartition[] {
    if (this.mode === 'manual') return this.manualAssignment.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
    return [...this.rebalance.owned.values()];
  }

  private requireAssigned(tp: TopicPartition, op: string): void {
    const ok = this.mode === 'manual' ? this.manualAssignment.some((x) => x.topic === tp.topic && x.partition === tp.partition) : this.rebalance.owned.has(tpKey(tp.topic, tp.partition));
    if (!ok || this.consumer === undefined) {
      throw new StreamwrightError('PARTITION_NOT_FOUND', `${op}: ${tp.topic}-${tp.partition} is not assigned to this consumer. Call it for partitions from assignment() or onPartitionsAssigned.`, { topic: tp.topic, partition: tp.partition });
    }
  }

  seek(tp: TopicPartition, offset: number): void {
    this.checkOpen('seek');
    this.requireAssigned(tp, 'seek');
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `seek(${tp.topic}-${tp.partition}, ${offset}): offsets are integers >= 0.`, { topic: tp.topic, partition: tp.partition, offset });
    }
    this.buffer.drop(tp);
    this.consumer!.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
  }

  pause(tps: readonly TopicPartition[]): void {
    this.checkOpen('pause');
    for (const tp of tps) this.requireAssigned(tp, 'pause');
    for (const tp of tps) {
      this.paused.add(tpKey(tp.topic, tp.partition));
      this.buffer.drop(tp);
      this.consumer!.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    this.checkOpen('resume');
    for (const tp of tps) {
      this.paused.delete(tpKey(tp.topic, tp.partition));
      this.consumer?.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  async poll(opts: { readonly maxRecords: number; readonly maxWaitMs: number }): Promise<FetchBatch[]> {
    this.checkOpen('poll');
    if (this.polling) throw new StreamwrightError('APP_STATE', 'poll() called while another poll() is running; poll from one loop.', {});
    this.polling = true;
    try {
      const deadline = Date.now() + Math.max(0, opts.maxWaitMs);
      for (;;) {
        if (this.rebalance.hasEvents()) await this.rebalance.deliver(this.listener, (tps) => this.onAssigned(tps));
        if (this.failure !== undefined) throw this.failure;
        const out = this.buffer.take(opts.maxRecords, this.paused);
        if (out.length > 0 || this.closed) return out;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return out;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          timer = setTimeout(resolve, remaining);
        });
        clearTimeout(timer);
        this.wake = undefined;
      }
    } finally {
      this.polling = false;
    }
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    for (const tp of tps) this.paused.delete(tpKey(tp.topic, tp.partition));
    if (this.opts.autoOffsetReset !== 'none' || tps.length === 0) return;
    const committed = await this.committed(tps);
    const missing = committed.filter((c) => c.offset < 0);
    if (missing.length > 0) {
      this.failure = new StreamwrightError(
        'OFFSET_OUT_OF_RANGE',
        `No committed offset for ${missing.map((m) => `${m.topic}-${m.partition}`).join(', ')} in group ${this.opts.groupId} and autoOffsetReset is 'none'. Commit a starting offset first or use 'earliest' / 'latest'.`,
        { groupId: this.opts.groupId, partitions: missing },
      );
    }
  }

  async committed(tps: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.checkOpen('read committed offsets');
    const groupId = this.opts.groupId;
    if (groupId === undefined) throw new StreamwrightError('CONFIG_INVALID', 'committed() needs ConsumerOptions.groupId.', {});
    return fetchCommitted(await this.admin(), this.config.bootstrapServers, groupId, tps);
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen('commit');
    if (offsets.length === 0) return;
    if (this.mode !== 'group' || this.consumer === undefined) {
      throw new StreamwrightError(
        'CONFIG_INVALID',
        `commit() needs a subscribed consumer: kafkajs commits only as a group member, and a manually assigned Kafka consumer is not one. Commit through a transactional producer's sendOffsetsToTransaction, or subscribe.`,
        { groupId: this.opts.groupId },
      );
    }
    for (const o of offsets) {
      if (!this.rebalance.owned.has(tpKey(o.topic, o.partition))) {
        throw new StreamwrightError(
          'BACKEND',
          `Commit refused for ${o.topic}-${o.partition} offset ${o.offset}: the partition is not assigned to this member of group ${this.opts.groupId} (a rebalance moved it). Its new owner resumes from the last committed offset; drop the work for this partition.`,
          { topic: o.topic, partition: o.partition, offset: o.offset, groupId: this.opts.groupId },
        );
      }
      if (!Number.isInteger(o.offset) || o.offset < 0) {
        throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `Cannot commit offset ${o.offset} for ${o.topic}-${o.partition}: a committed offset is the next offset to read, >= 0.`, { topic: o.topic, partition: o.partition, offset: o.offset });
      }
    }
    try {
      await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (e) {
      throw toStreamwrightError(e, this.ctx('committing offsets'));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.buffer.dropAll();
    this.rebalance.releaseJoin();
    this.notify();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer !== undefined) await consumer.disconnect();
  }
}
