import { StreamwrightError } from '../../errors/streamwright-error.js';
import type {
  ConsumerOptions,
  FetchBatch,
  GroupMetadata,
  IsolationLevel,
  LogConsumer,
  OffsetReset,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../backend-types.js';
import { newColumns } from './batch-codec.js';
import type { EmbeddedContext } from './embedded-context.js';
import { tpKey, type GroupMember } from './group-coordinator.js';
import type { PartitionLog } from './partition-log.js';

interface PartitionState {
  readonly tp: TopicPartition;
  readonly log: PartitionLog;
  /** Next offset to read; -1 until resolved from the committed offset or autoOffsetReset. */
  position: number;
  paused: boolean;
}

function usage(message: string, details: Record<string, unknown> = {}): StreamwrightError {
  return new StreamwrightError('CONFIG_INVALID', message, details);
}

/** Consumer of the embedded log: group subscription or manual assignment, event-driven poll(). */
export class EmbeddedConsumer implements LogConsumer {
  private readonly ctx: EmbeddedContext;
  private readonly groupId: string | undefined;
  private readonly clientId: string | undefined;
  private readonly host: string | undefined;
  private readonly isolation: IsolationLevel;
  private readonly reset: OffsetReset;
  private readonly parts = new Map<string, PartitionState>();
  private member: GroupMember | null = null;
  private listener: RebalanceListener | null = null;
  private manual = false;
  private closed = false;
  private shutdownRequest = false;
  private shutdownDelivered = false;
  private rotate = 0;
  private reconciling: Promise<void> | null = null;

  constructor(ctx: EmbeddedContext, opts: ConsumerOptions) {
    this.ctx = ctx;
    this.groupId = opts.groupId;
    this.clientId = opts.clientId;
    this.host = opts.applicationServer;
    this.isolation = opts.isolationLevel ?? 'read_uncommitted';
    this.reset = opts.autoOffsetReset ?? 'earliest';
  }

  private ensureOpen(): void {
    this.ctx.ensureOpen();
    if (this.closed) throw new StreamwrightError('LOG_CLOSED', 'This consumer is closed; create a new consumer.', {});
  }

  private requireGroup(op: string): string {
    if (this.groupId === undefined) throw usage(`Cannot ${op} without a consumer group: pass groupId in the consumer options.`);
    return this.groupId;
  }

  async subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): Promise<void> {
    this.ensureOpen();
    const groupId = this.requireGroup('subscribe');
    if (this.manual) throw usage('Cannot subscribe(): this consumer uses manual assign(); use one consumer per mode.');
    if (!(topics instanceof RegExp)) for (const t of topics) this.ctx.topics.get(t);
    this.listener = listener;
    if (this.member === null) {
      const memberId = this.ctx.groups.newMemberId(this.clientId);
      this.member = { memberId, subscription: topics, target: new Map(), shutdownRequest: this.shutdownRequest, ...(this.host === undefined ? {} : { host: this.host }) };
      this.ctx.groups.join(groupId, this.member);
    } else {
      this.member.subscription = topics;
      this.ctx.groups.rebalanceAll();
    }
  }

  requestGroupShutdown(): void {
    this.ensureOpen();
    if (this.member !== null || this.manual) throw new StreamwrightError('APP_STATE', 'requestGroupShutdown() must be called before subscribe(), on a consumer that has not subscribed or assigned yet.', {});
    this.requireGroup('request a group shutdown');
    this.shutdownRequest = true;
  }

  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen();
    if (this.member !== null) throw usage('Cannot assign(): this consumer is subscribed to a group; use one consumer per mode.');
    this.manual = true;
    const next = new Map<string, PartitionState>();
    for (const p of partitions) {
      const log = this.ctx.topics.partition(p.topic, p.partition);
      const k = tpKey(p.topic, p.partition);
      const old = this.parts.get(k);
      const position = p.offset >= 0 ? p.offset : (old?.position ?? -1);
      next.set(k, { tp: { topic: p.topic, partition: p.partition }, log, position, paused: old?.paused ?? false });
    }
    this.parts.clear();
    for (const [k, s] of next) this.parts.set(k, s);
  }

  /** The in-process group as the coordinator sees it now (every member's host and target). */
  groupMetadata(): GroupMetadata | undefined {
    if (this.member === null || this.closed) return undefined;
    return { memberId: this.member.memberId, members: this.ctx.groups.describe(this.groupId!) };
  }

  assignment(): TopicPartition[] {
    return [...this.parts.values()].map((s) => s.tp);
  }

  private state(tp: TopicPartition, op: string): PartitionState {
    const s = this.parts.get(tpKey(tp.topic, tp.partition));
    if (s === undefined) {
      throw new StreamwrightError(
        'PARTITION_NOT_FOUND',
        `Cannot ${op} topic "${tp.topic}" partition ${tp.partition}: it is not assigned to this consumer. Call it for partitions in assignment().`,
        { topic: tp.topic, partition: tp.partition },
      );
    }
    return s;
  }

  seek(tp: TopicPartition, offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `Cannot seek topic "${tp.topic}" partition ${tp.partition} to ${offset}: use an integer offset >= 0.`, { ...tp, offset });
    }
    this.state(tp, 'seek').position = offset;
  }

  position(tp: TopicPartition): number {
    this.ensureOpen();
    const s = this.state(tp, 'read the position of');
    if (!s.log.closed) this.resolvePosition(s);
    return s.position;
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state(tp, 'pause').paused = true;
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state(tp, 'resume').paused = false;
    this.ctx.notifier.notify();
  }

  async poll(opts: { readonly maxRecords: number; readonly maxWaitMs: number }): Promise<FetchBatch[]> {
    this.ensureOpen();
    const max = Math.max(1, Math.floor(opts.maxRecords));
    const deadline = Date.now() + Math.max(0, opts.maxWaitMs);
    for (;;) {
      if (this.member !== null) await this.reconcile();
      if (this.closed) return [];
      this.ctx.ensureOpen();
      const out = this.fetch(max);
      if (out.length > 0) return out;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.ctx.notifier.wait(left);
      if (this.closed) return [];
    }
  }

  /** Moves this member toward the group's target: revoke first, then assign what is free. */
  private async reconcile(): Promise<void> {
    while (this.reconciling !== null) await this.reconciling;
    this.reconciling = this.reconcileOnce();
    try {
      await this.reconciling;
    } finally {
      this.reconciling = null;
    }
  }

  private async reconcileOnce(): Promise<void> {
    const m = this.member!;
    const groupId = this.groupId!;
    const revoked: string[] = [];
    for (const [k, s] of this.parts) if (!m.target.has(k) || s.log.closed) revoked.push(k);
    if (revoked.length > 0) await this.revoke(revoked);
    if (m.shutdownSignalled === true) {
      if (!this.shutdownDelivered) {
        this.shutdownDelivered = true;
        await this.listener!.onGroupShutdown?.();
      }
      return;
    }
    const assigned: TopicPartition[] = [];
    for (const [k, tp] of m.target) {
      if (this.parts.has(k)) continue;
      const topic = this.ctx.topics.topics.get(tp.topic);
      if (topic === undefined || !this.ctx.groups.claim(groupId, k, m.memberId)) continue;
      this.parts.set(k, { tp, log: topic.logs[tp.partition], position: -1, paused: false });
      assigned.push(tp);
    }
    if (assigned.length > 0) await this.listener!.onPartitionsAssigned(assigned);
  }

  private async revoke(keys: readonly string[]): Promise<void> {
    const tps = keys.map((k) => this.parts.get(k)!.tp);
    try {
      await this.listener!.onPartitionsRevoked(tps);
    } finally {
      for (const k of keys) {
        this.parts.delete(k);
        this.ctx.groups.release(this.groupId!, k, this.member!.memberId);
      }
      this.ctx.notifier.notify();
    }
  }

  private fetch(max: number): FetchBatch[] {
    const states = [...this.parts.values()];
    const n = states.length;
    const out: FetchBatch[] = [];
    let remaining = max;
    const committedOnly = this.isolation === 'read_committed';
    for (let i = 0; i < n && remaining > 0; i++) {
      const s = states[(this.rotate + i) % n];
      if (s.paused || s.log.closed) continue;
      this.resolvePosition(s);
      const upTo = committedOnly ? s.log.lastStableOffset : s.log.endOffset;
      const cols = newColumns();
      const from = s.position;
      while (cols.offsets.length === 0 && s.position < upTo) {
        const next = s.log.read(s.position, remaining, upTo, cols);
        if (next === s.position) break;
        s.position = next;
      }
      const size = cols.offsets.length;
      if (size === 0) {
        // Only transaction markers or aborted records were passed over: report the progress with an
        // empty batch, so a reader waiting for an end offset (e.g. a restore) learns it is there.
        if (s.position > from) out.push({ topic: s.tp.topic, partition: s.tp.partition, size: 0, ...cols, highWatermark: upTo });
        continue;
      }
      remaining -= size;
      out.push({ topic: s.tp.topic, partition: s.tp.partition, size, ...cols, highWatermark: upTo });
    }
    this.rotate = n === 0 ? 0 : (this.rotate + 1) % n;
    return out;
  }

  private resolvePosition(s: PartitionState): void {
    const log = s.log;
    if (s.position < 0) {
      const c = this.groupId === undefined ? -1 : this.ctx.offsets.get(this.groupId, s.tp.topic, s.tp.partition);
      s.position = c >= 0 ? c : this.resetPosition(s, `no committed offset${this.groupId === undefined ? '' : ` for group "${this.groupId}"`}`);
    }
    if (s.position < log.logStartOffset || s.position > log.endOffset) {
      s.position = this.resetPosition(s, `offset ${s.position} is outside the log's range [${log.logStartOffset}, ${log.endOffset}]`);
    }
  }

  private resetPosition(s: PartitionState, why: string): number {
    if (this.reset === 'earliest') return s.log.logStartOffset;
    if (this.reset === 'latest') return s.log.endOffset;
    throw new StreamwrightError(
      'OFFSET_OUT_OF_RANGE',
      `Cannot read topic "${s.tp.topic}" partition ${s.tp.partition}: ${why} and autoOffsetReset is 'none'. Seek to a valid offset, commit one, or use autoOffsetReset 'earliest' or 'latest'.`,
      { topic: s.tp.topic, partition: s.tp.partition, offset: s.position, logStartOffset: s.log.logStartOffset, endOffset: s.log.endOffset },
    );
  }

  async committed(tps: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    this.ensureOpen();
    const g = this.requireGroup('read committed offsets');
    return tps.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: this.ctx.offsets.get(g, tp.topic, tp.partition) }));
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen();
    const g = this.requireGroup('commit offsets');
    for (const o of offsets) {
      this.ctx.topics.partition(o.topic, o.partition);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new StreamwrightError(
          'OFFSET_OUT_OF_RANGE',
          `Cannot commit offset ${o.offset} for topic "${o.topic}" partition ${o.partition}: commit the next offset to read, an integer >= 0.`,
          { ...o },
        );
      }
    }
    this.ctx.offsets.commit(g, offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    const ack = this.ctx.flusher.ack();
    if (ack !== undefined) await ack;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.member !== null && this.parts.size > 0) {
        while (this.reconciling !== null) await this.reconciling;
        await this.revoke([...this.parts.keys()]);
      }
    } finally {
      this.closed = true;
      if (this.member !== null) this.ctx.groups.leave(this.groupId!, this.member.memberId);
      this.parts.clear();
      this.ctx.notifier.notify();
    }
  }
}
