import type { WindowAggregateNode } from '../../graph/nodes/window-aggregate-node.js';
import type { Windowed } from '../../graph/processor-types.js';
import type { TimeWindowSpec } from '../../graph/window-spec.js';
import { BucketedWindowStore } from '../../state/bucketed-window-store.js';
import type { WindowStore } from '../../state/store-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/**
 * Tumbling and hopping window aggregation (Kafka Streams' KStreamWindowAggregate). A record
 * updates every window containing its timestamp that is still open: a window is closed once
 * stream time passes its end plus the grace period; records for closed windows are dropped and
 * counted (dropped-records-total, reason "late").
 */
export class WindowAggregateOperator extends ChangeForwarder {
  private store!: WindowStore<unknown, unknown>;
  private observedStreamTime = -1;
  private late!: { value: number };
  private readonly spec: TimeWindowSpec;

  constructor(private readonly node: WindowAggregateNode) {
    super(node.name);
    if (node.windows.type !== 'time') {
      throw new StreamwrightError('TOPOLOGY_INVALID', `Window aggregation "${node.name}" has ${node.windows.type} windows; this operator handles time windows.`);
    }
    this.spec = node.windows;
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = this.changeStore<WindowStore<unknown, unknown>>(this.node.store);
    this.late = this.droppedCounter('late');
  }

  /** The per-record work of processOne() as one loop with the node's parts in locals, for tumbling
   * windows (advance = size, one window per record) in a by-window store: one aggregate() call. */
  protected override processBatch(batch: RecordBatch): void {
    const { sizeMs, advanceMs } = this.spec;
    const store = this.store;
    if (advanceMs !== sizeMs || !(store instanceof BucketedWindowStore)) return super.processBatch(batch);
    const graceMs = this.spec.graceMs;
    const { aggregator, initializer } = this.node;
    const keys = batch.keys;
    const values = batch.values;
    const timestamps = batch.timestamps;
    let streamTime = this.observedStreamTime;
    // Many records share a millisecond: the store expires only when stream time moved.
    let expiredAt = Number.NaN;
    for (let i = 0, n = batch.length; i < n; i++) {
      this.cursor = i;
      const key = keys[i];
      const value = values[i];
      if (key === null || key === undefined || value === null || value === undefined) {
        this.skipNull();
        continue;
      }
      const ts = timestamps[i];
      if (ts > streamTime) this.observedStreamTime = streamTime = ts;
      const start = ts - remainder(ts, sizeMs);
      if (ts < 0) {
        // No window holds a negative timestamp (as windowsFor() below starts at 0).
      } else if (start + sizeMs <= streamTime - graceMs) this.dropLate(batch, i, ts);
      else store.aggregateTumbling(key, value, timestamps, i, aggregator, initializer);
      if (streamTime !== expiredAt) {
        expiredAt = streamTime;
        store.expire(streamTime);
      }
    }
  }

  private dropLate(batch: RecordBatch, i: number, ts: number): void {
    this.late.value++;
    this.ctx.logger.debug(`Skipping a record for an expired window in "${this.name}"`, { topic: batch.topic, partition: batch.partition, offset: batch.offsets[i], timestamp: ts, streamTime: this.observedStreamTime });
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const value = batch.values[i];
    if (key === null || key === undefined || value === null || value === undefined) return this.skipNull();
    const ts = batch.timestamps[i];
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const { sizeMs, advanceMs, graceMs } = this.spec;
    const closeTime = this.observedStreamTime - graceMs;
    let dropped = false;
    // Oldest window first, as Kafka Streams' TimeWindows.windowsFor() enumerates them.
    let first = Math.max(0, ts - sizeMs + advanceMs);
    first -= remainder(first, advanceMs);
    for (let start = first; start <= ts; start += advanceMs) {
      if (start + sizeMs <= closeTime) {
        dropped = true;
        continue;
      }
      const old = this.store.fetch(key, start);
      if (old === undefined) this.store.put(key, this.node.aggregator(key, value, this.node.initializer()), start, ts);
      else {
        // Kafka's KStreamWindowAggregate: the window's timestamp is the largest of its records'.
        const prev = this.store.fetchTimestamp(key, start)!;
        this.store.put(key, this.node.aggregator(key, value, old), start, prev > ts ? prev : ts);
      }
    }
    if (dropped) this.dropLate(batch, i, ts);
    this.store.expire(this.observedStreamTime);
  }
}

/**
 * x % m for a whole x >= 0 and whole m >= 1 below 2^53, without the floating-point modulo
 * (a C call per record in V8 once timestamps exceed int32): the floored quotient times m is
 * exact, and the one-step correction absorbs the division's rounding.
 */
export function remainder(x: number, m: number): number {
  const r = x - Math.floor(x / m) * m;
  return r < 0 ? r + m : r >= m ? r - m : r;
}

export type { Windowed };
