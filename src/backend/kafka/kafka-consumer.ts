import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ConsumerOptions, FetchBatch, GroupMetadata, LogConsumer, RebalanceListener, TopicPartition, TopicPartitionOffset } from '../backend-types.js';
import { validateTopicName } from '../topic-name.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { toStreamwrightError } from './kafka-errors.js';
import { KafkaAssignedReader } from './kafka-assigned-reader.js';
import { FetchBuffer, parkBatch, tpKey } from './kafka-fetch-buffer.js';
import { KafkaMemberLifecycle, type MemberHost } from './kafka-member-lifecycle.js';
import { flattenAssignment, RebalanceState } from './kafka-rebalance-state.js';
import { checkCommittable, fetchCommitted, missingOffsetsError } from './kafka-offsets.js';
import { PollWaiter } from './kafka-poll-waiter.js';

const NO_LISTENER: RebalanceListener = { onPartitionsRevoked() {}, onPartitionsAssigned() {} };

/**
 * LogConsumer over kafkajs's push consumer. kafkajs runs `eachBatch` from its fetch loop; each call
 * parks its batch in a FetchBuffer and waits (heartbeating) until poll() has taken every record, so
 * fetching is paced by the runtime. Group mode uses our co-partitioning assignor and delivers eager
 * rebalance callbacks inside poll(): revoked before JoinGroup is sent, assigned after SyncGroup.
 *
 * Manual assign() has no kafkajs equivalent: it goes to a KafkaAssignedReader, which fetches from the
 * partitions' leaders through a kafkajs Cluster of its own, without joining any group.
 *
 * A group member whose kafkajs consumer crashes on a recoverable error treats its partitions as lost
 * (commits for them are refused, onPartitionsRevoked still runs in poll()) and rejoins with a new
 * kafkajs consumer (KafkaMemberLifecycle); poll() throws only once `retries` attempts in a row failed.
 */
export class KafkaLogConsumer implements LogConsumer {
  private readonly member: KafkaMemberLifecycle;
  private mode: 'none' | 'group' | 'manual' = 'none';
  private listener: RebalanceListener = NO_LISTENER;
  private readonly buffer = new FetchBuffer();
  private readonly rebalance = new RebalanceState();
  private readonly paused = new Set<string>();
  private reader: KafkaAssignedReader | undefined;
  private failure: StreamwrightError | undefined;
  private readonly waiter = new PollWaiter();
  private polling = false;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly opts: ConsumerOptions,
    private readonly admin: () => Promise<Admin>,
    private readonly onClose: (c: KafkaLogConsumer) => void,
  ) {
    this.member = new KafkaMemberLifecycle(kafka, config, opts, this.memberHost(), (action) => this.ctx(action));
  }

  private get consumer(): Consumer | undefined {
    return this.member.current;
  }

  private ctx(action: string, extra: { topic?: string; partition?: number; offset?: number } = {}) {
    return { bootstrapServers: this.config.bootstrapServers, action, groupId: this.opts.groupId, ...extra };
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new StreamwrightError('LOG_CLOSED', `Consumer is closed; cannot ${op}. Create a new consumer.`, {});
  }

  private checkUnused(): void {
    if (this.mode !== 'none') {
      throw new StreamwrightError('APP_STATE', `Consumer is already ${this.mode === 'group' ? 'subscribed' : 'manually assigned'}; a consumer either subscribes once or assigns (as often as needed). Create another consumer.`, {});
    }
  }

  private notify(): void {
    this.waiter.notify();
  }

  private memberHost(): MemberHost {
    return {
      eachBatch: (payload: EachBatchPayload) => parkBatch(this.buffer, payload, this.config.heartbeatIntervalMs, () => this.notify(), () => this.closed),
      beforeJoin: () => this.beforeJoin(),
      joined: (_consumer, assignment) => {
        this.rebalance.assigned(flattenAssignment(assignment));
        this.notify();
      },
      crashed: () => {
        const lost = [...this.rebalance.owned.values()];
        this.buffer.dropAll();
        this.rebalance.lose();
        this.notify();
        return lost;
      },
      failed: (e) => {
        this.failure ??= e;
        this.notify();
      },
      groupShutdown: () => {
        this.rebalance.groupShutdown();
        this.notify();
      },
      isClosed: () => this.closed,
    };
  }

  private async beforeJoin(): Promise<void> {
    if (this.closed) return;
    this.buffer.dropAll();
    await this.rebalance.revokeBeforeJoin(this.config.rebalanceTimeoutMs, () => this.notify());
  }

  /** SHUTDOWN_APPLICATION: this member's JoinGroups carry SHUTDOWN_REQUESTED (see coPartitioningAssigner). */
  requestGroupShutdown(): void {
    this.checkOpen('request a group shutdown');
    if (this.mode !== 'none') throw new StreamwrightError('APP_STATE', 'requestGroupShutdown() must be called before subscribe(), on a consumer that has not subscribed or assigned yet.', {});
    this.member.requestShutdown();
  }

  async subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): Promise<void> {
    this.checkOpen('subscribe');
    this.checkUnused();
    const groupId = this.opts.groupId;
    if (groupId === undefined || groupId.length === 0) {
      throw new StreamwrightError('CONFIG_INVALID', 'subscribe() needs ConsumerOptions.groupId: group membership and commits are per consumer group.', {});
    }
    if (Array.isArray(topics)) for (const t of topics) validateTopicName(t);
    this.mode = 'group';
    this.listener = listener;
    await this.member.startGroup(groupId, topics instanceof RegExp ? [topics] : [...topics]);
  }

  /** Manual assignment without a group; may be called again to replace the partitions (as in Java). */
  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    this.checkOpen('assign');
    if (this.mode === 'group') this.checkUnused();
    for (const tp of partitions) validateTopicName(tp.topic);
    this.mode = 'manual';
    this.reader ??= new KafkaAssignedReader(this.kafka, this.config, this.opts, (tps) => this.committed(tps));
    await this.reader.assign(partitions);
  }

  assignment(): TopicPartition[] {
    if (this.reader !== undefined) return this.reader.assignment();
    return [...this.rebalance.owned.values()];
  }

  /** The map the group leader sent with the last assignment (assignment userData). */
  groupMetadata(): GroupMetadata | undefined {
    return this.mode === 'group' && !this.closed ? this.member.groupMetadata() : undefined;
  }

  private requireAssigned(tp: TopicPartition, op: string): void {
    if (!this.rebalance.owned.has(tpKey(tp.topic, tp.partition)) || this.consumer === undefined) {
      throw new StreamwrightError('PARTITION_NOT_FOUND', `${op}: ${tp.topic}-${tp.partition} is not assigned to this consumer. Call it for partitions from assignment() or onPartitionsAssigned.`, { topic: tp.topic, partition: tp.partition });
    }
  }

  seek(tp: TopicPartition, offset: number): void {
    this.checkOpen('seek');
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `seek(${tp.topic}-${tp.partition}, ${offset}): offsets are integers >= 0.`, { topic: tp.topic, partition: tp.partition, offset });
    }
    if (this.reader !== undefined) return this.reader.seek(tp, offset);
    this.requireAssigned(tp, 'seek');
    this.buffer.drop(tp);
    this.consumer!.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
  }

  position(tp: TopicPartition): number {
    this.checkOpen('read a position');
    if (this.reader !== undefined) return this.reader.position(tp);
    throw new StreamwrightError('CONFIG_INVALID', `position(${tp.topic}-${tp.partition}): the Kafka backend tracks positions for manually assigned consumers only (kafkajs keeps a group member's fetch positions to itself). Use committed() for a group's progress.`, { topic: tp.topic, partition: tp.partition });
  }

  pause(tps: readonly TopicPartition[]): void {
    this.checkOpen('pause');
    if (this.reader !== undefined) return this.reader.pause(tps);
    for (const tp of tps) this.requireAssigned(tp, 'pause');
    for (const tp of tps) {
      this.paused.add(tpKey(tp.topic, tp.partition));
      this.buffer.drop(tp);
      this.consumer!.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    this.checkOpen('resume');
    if (this.reader !== undefined) return this.reader.resume(tps);
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
      if (this.reader !== undefined) return await this.reader.poll(opts.maxRecords, opts.maxWaitMs);
      const deadline = Date.now() + Math.max(0, opts.maxWaitMs);
      for (;;) {
        if (this.rebalance.hasEvents()) await this.rebalance.deliver(this.listener, (tps) => this.onAssigned(tps));
        if (this.failure !== undefined) throw this.failure;
        const out = this.buffer.take(opts.maxRecords, this.paused);
        if (out.length > 0 || this.closed) return out;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return out;
        await this.waiter.wait(remaining);
      }
    } finally {
      this.polling = false;
    }
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    for (const tp of tps) this.paused.delete(tpKey(tp.topic, tp.partition));
    if (this.opts.autoOffsetReset !== 'none' || tps.length === 0) return;
    this.failure ??= missingOffsetsError(await this.committed(tps), this.opts.groupId);
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
    checkCommittable(offsets, (tp) => this.rebalance.owned.has(tpKey(tp.topic, tp.partition)), this.opts.groupId);
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
    await Promise.all([this.member.close(), this.reader?.close()]);
  }
}
