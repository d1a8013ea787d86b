import type { StreamStreamJoinNode } from '../../graph/nodes/stream-stream-join-node.js';
import type { Serde } from '../../graph/serde-types.js';
import type { JoinBufferStore } from '../../state/join-buffer-store.js';
import type { WindowStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { type JoinSideKey, OuterJoinPending } from './join-outer-pending.js';
import { joinSerde, sharedJoinTime, type JoinTime } from './join-shared-time.js';

/**
 * One side of a KStream-KStream join (Kafka Streams' KStreamKStreamJoin, 3.x semantics). For each
 * record (k, v, t) of this side:
 *   1. the join's shared stream time T advances to t (null keys/values too; a null value is dropped
 *      and counted: dropped-records-total, reason null-key-or-value; so is a null key, except on an
 *      outer side, where it joins nothing and is emitted with null right away, as KIP-962 has it);
 *   2. if t == T, pending unjoined records whose window plus grace has closed are emitted
 *      (left/outer joins only) with null for the missing side, at their own timestamps;
 *   3. every buffered record of the other side with key k and a timestamp in
 *      [t - before, t + after] (before/after swapped on the right side) joins it, at
 *      max(t, other timestamp), oldest first, and is no longer pending;
 *   4. a record that joined nothing on an outer side is emitted with null right away when its
 *      window already ended (t + after < T), else parked as pending;
 *   5. the record is buffered in this side's join buffer, several per key and timestamp, for
 *      before + after + grace ms of stream time (older records are not buffered).
 */
export class StreamStreamJoinOperator extends BaseOperator {
  private thisStore!: JoinBufferStore<unknown>;
  private otherStore!: JoinBufferStore<unknown>;
  /** The other side's matches of the current record (reused). */
  private readonly matchTs: number[] = [];
  private readonly matchSlots: number[] = [];
  /** Stream time the buffers were last expired at (the other side's operator expires them too). */
  private expiredAt = -Infinity;
  private pending: OuterJoinPending | undefined;
  private time!: JoinTime;
  private dropped!: { value: number };
  private keySerde!: Serde<unknown>;
  private thisSerde!: Serde<unknown>;
  private otherSerde!: Serde<unknown>;
  private thisTopic = '';
  private otherTopic = '';
  /** Topic the key bytes of pending records are serialized for (the outer store's changelog). */
  private pendingTopic = '';
  private readonly isLeft: boolean;
  /** This side's window: other records in [t - beforeMs, t + afterMs] join a record at t. */
  private readonly beforeMs: number;
  private readonly afterMs: number;
  /** Records of this side that join nothing are emitted with null (left side of left joins, both sides of outer joins). */
  private readonly outerThis: boolean;
  private readonly thisSide: JoinSideKey;
  private readonly otherSide: JoinSideKey;
  // Current input record, for the pending-records sink (set per record, no closure per record).
  private batch!: RecordBatch;
  private index = 0;
  private readonly emitNonJoined = (key: unknown, left: unknown, right: unknown, timestamp: number): void => {
    const b = this.batch;
    this.out.push(key, this.node.joiner(left, right, key), timestamp, b.offsets[this.index], b.headers[this.index]);
  };

  constructor(private readonly node: StreamStreamJoinNode) {
    super(node.name);
    this.isLeft = node.side === 'left';
    this.beforeMs = this.isLeft ? node.windows.beforeMs : node.windows.afterMs;
    this.afterMs = this.isLeft ? node.windows.afterMs : node.windows.beforeMs;
    this.outerThis = node.joinType === 'outer' || (node.joinType === 'left' && this.isLeft);
    this.thisSide = this.isLeft ? 'L' : 'R';
    this.otherSide = this.isLeft ? 'R' : 'L';
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const n = this.node;
    this.keySerde = joinSerde(n.serdes.keySerde, ctx.defaultKeySerde, 'key', n.thisStore, n.name);
    const left = joinSerde(n.serdes.leftValueSerde, ctx.defaultValueSerde, 'value', this.isLeft ? n.thisStore : n.otherStore, n.name);
    const right = joinSerde(n.serdes.rightValueSerde, ctx.defaultValueSerde, 'value', this.isLeft ? n.otherStore : n.thisStore, n.name);
    this.thisSerde = this.isLeft ? left : right;
    this.otherSerde = this.isLeft ? right : left;
    this.thisStore = ctx.getStateStore(n.thisStore) as JoinBufferStore<unknown>;
    this.otherStore = ctx.getStateStore(n.otherStore) as JoinBufferStore<unknown>;
    this.thisTopic = `${ctx.applicationId}-${n.thisStore}-changelog`;
    this.otherTopic = `${ctx.applicationId}-${n.otherStore}-changelog`;
    if (n.outerStore !== undefined) {
      const store = ctx.getStateStore(n.outerStore) as WindowStore<unknown, Buffer[]>;
      this.pendingTopic = `${ctx.applicationId}-${n.outerStore}-changelog`;
      this.pending = new OuterJoinPending(store, this.keySerde, left, right, this.pendingTopic);
    }
    this.time = sharedJoinTime(ctx, n.joinId);
    this.dropped = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: n.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    this.begin(batch);
    this.batch = batch;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        this.index = i;
        this.processOne(batch, i);
      }
    } catch (err) {
      this.out.clear();
      this.fail(batch, i, err);
    }
    this.emit();
  }

  private processOne(batch: RecordBatch, i: number): void {
    const ts = batch.timestamps[i];
    const time = this.time;
    if (ts > time.value) time.value = ts;
    const key = batch.keys[i];
    const value = batch.values[i];
    if ((key === null || key === undefined) && value !== null && value !== undefined && this.outerThis) {
      // KIP-962: a null key joins nothing, so an outer side emits it at once.
      this.out.push(key, this.isLeft ? this.node.joiner(value, null, key) : this.node.joiner(null, value, key), ts, batch.offsets[i], batch.headers[i]);
      return;
    }
    if (key === null || key === undefined || value === null || value === undefined) {
      this.dropped.value++;
      this.ctx.logger.debug(`Skipping a record with a null key or value in join "${this.name}"`, { topic: batch.topic, partition: batch.partition, offset: batch.offsets[i] });
      return;
    }
    const streamTime = time.value;
    // Retention: buffered records with ts < T - (before + after + grace) are gone (see the store's +1 ms window).
    if (streamTime !== this.expiredAt) {
      this.expiredAt = streamTime;
      this.thisStore.expire(streamTime + 1);
      this.otherStore.expire(streamTime + 1);
    }
    const pending = this.pending;
    const { afterMs: windowAfter, beforeMs: windowBefore, graceMs } = this.node.windows;
    if (pending !== undefined && ts === streamTime) pending.emitClosed(streamTime, windowAfter, windowBefore, graceMs, this.emitNonJoined);

    const timeFrom = Math.max(0, ts - this.beforeMs);
    const timeTo = Math.max(0, ts + this.afterMs);
    const matchTs = this.matchTs;
    const matchSlots = this.matchSlots;
    const otherStore = this.otherStore;
    const matches = otherStore.fetchInto(key, timeFrom, timeTo, matchTs, matchSlots);
    const joiner = this.node.joiner;
    const out = this.out;
    let keyBytes: Buffer | undefined;
    let lastTs = NaN;
    for (let m = 0; m < matches; m++) {
      const otherTs = matchTs[m];
      if (pending !== undefined && otherTs !== lastTs) pending.removeJoined(this.otherSide, (keyBytes ??= this.serializeKey(key)), otherTs);
      lastTs = otherTs;
      const other = this.otherSerde.deserialize(this.otherTopic, otherStore.valueAt(matchSlots[m]));
      out.push(key, this.isLeft ? joiner(value, other, key) : joiner(other, value, key), ts > otherTs ? ts : otherTs, batch.offsets[i], batch.headers[i]);
    }
    const valueBytes = this.thisSerde.serialize(this.thisTopic, value) ?? Buffer.alloc(0);
    if (matches === 0 && this.outerThis) {
      if (pending === undefined || timeTo < streamTime) {
        out.push(key, this.isLeft ? joiner(value, null, key) : joiner(null, value, key), ts, batch.offsets[i], batch.headers[i]);
      } else pending.add(this.thisSide, (keyBytes ??= this.serializeKey(key)), valueBytes, ts);
    }
    this.thisStore.append(key, valueBytes, ts);
  }

  private serializeKey(key: unknown): Buffer {
    return this.keySerde.serialize(this.pendingTopic, key) ?? Buffer.alloc(0);
  }
}
