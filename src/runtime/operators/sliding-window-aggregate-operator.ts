import type { WindowAggregateNode } from '../../graph/nodes/window-aggregate-node.js';
import type { SlidingWindowSpec } from '../../graph/window-spec.js';
import type { KeyValueEntry, WindowStore, Windowed } from '../../state/store-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** What a sliding window keeps in its store: the aggregate and the largest record timestamp in it
 * (Kafka Streams keeps the same pair as ValueAndTimestamp). */
export interface SlidingWindowValue {
  readonly agg: unknown;
  readonly maxTs: number;
}

/**
 * Sliding window aggregation (Kafka Streams' KStreamSlidingWindowAggregate, KIP-450). Windows are
 * [start, start + timeDifference], both ends inclusive, and exist only where records are:
 *   - every record at t has its left window [t - timeDifference, t];
 *   - it has a right window [t + 1, t + 1 + timeDifference] once a record of the key falls in it;
 *   - records with t < timeDifference share the window [0, timeDifference] instead of a left window.
 * A window takes updates while its end >= stream time - grace. A record whose right window would
 * already be closed (t + 1 + timeDifference <= stream time - grace) is dropped and counted in
 * dropped-records-total (reason "late"), once per record, also when only some windows were closed.
 * New windows copy the aggregate of the neighbouring window with the same records, so each record
 * is aggregated into at most ~2 new windows plus the windows already containing it.
 */
export class SlidingWindowAggregateOperator extends ChangeForwarder {
  private store!: WindowStore<unknown, SlidingWindowValue>;
  private observedStreamTime = -1;
  private late!: { value: number };
  private readonly td: number;
  private readonly grace: number;
  private closeTime = 0;
  private droppedWindow = false;
  private batch!: RecordBatch;
  private index = 0;

  constructor(private readonly node: WindowAggregateNode) {
    super(node.name);
    if (node.windows.type !== 'sliding') {
      throw new StreamwrightError('TOPOLOGY_INVALID', `Window aggregation "${node.name}" has ${node.windows.type} windows; SlidingWindowAggregateOperator handles sliding windows.`, { node: node.name });
    }
    const spec: SlidingWindowSpec = node.windows;
    this.td = spec.timeDifferenceMs;
    this.grace = spec.graceMs;
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = ctx.getStateStore(this.node.store) as WindowStore<unknown, SlidingWindowValue>;
    this.store.setFlushListener((w, n, o, ts) => this.forwardChange(w, n?.agg, o?.agg, ts), true);
    this.late = this.droppedCounter('late');
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const value = batch.values[i];
    if (key === null || key === undefined || value === null || value === undefined) return this.skipNull();
    const ts = batch.timestamps[i];
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    this.closeTime = this.observedStreamTime - this.grace;
    this.batch = batch;
    this.index = i;
    this.droppedWindow = false;
    if (ts + 1 + this.td <= this.closeTime) {
      this.dropLate();
      return;
    }
    if (ts < this.td) this.processEarly(key, value, ts);
    else this.processRecord(key, value, ts);
    if (this.droppedWindow) this.dropLate();
    this.store.expire(this.observedStreamTime);
  }

  private processRecord(key: unknown, value: unknown, ts: number): void {
    const td = this.td;
    const windows = this.store.fetchRange(key, Math.max(0, ts - 2 * td), ts + 1);
    let leftAgg: SlidingWindowValue | undefined;
    let rightAgg: SlidingWindowValue | undefined;
    let leftExists = false;
    let rightExists = false;
    let previousTs = -1;
    for (let w = 0; w < windows.length; w++) {
      const win = windows[w];
      const start = win.key.start;
      const end = start + td;
      if (end < ts) {
        // The latest window ending before the record: it holds the records just before it.
        leftAgg = win.value;
        previousTs = win.value.maxTs;
      } else if (end === ts) {
        leftExists = true;
        if (win.value.maxTs < ts) previousTs = win.value.maxTs;
        this.update(key, value, ts, start, win.value);
      } else if (start <= ts) {
        rightAgg = win.value;
        this.update(key, value, ts, start, win.value);
      } else if (start === ts + 1) {
        rightExists = true;
      } else this.unexpected(windows, win, ts);
    }
    if (previousTs >= 0) {
      const prevRightStart = previousTs + 1;
      if (prevRightStart + td >= ts && !hasStart(windows, prevRightStart)) this.update(key, value, ts, prevRightStart, undefined);
    }
    if (!leftExists) {
      const base = previousTs >= 0 && leftAgg !== undefined && ts - td <= previousTs ? leftAgg.agg : this.node.initializer();
      this.update(key, value, ts, ts - td, { agg: base, maxTs: ts });
    }
    if (!rightExists && rightAgg !== undefined && rightAgg.maxTs > ts) this.createRight(key, ts, rightAgg);
  }

  /** Records before timeDifference: their left window would start before 0, so they share [0, timeDifference]. */
  private processEarly(key: unknown, value: unknown, ts: number): void {
    const windows = this.store.fetchRange(key, 0, ts + 1);
    let combined: KeyValueEntry<Windowed<unknown>, SlidingWindowValue> | undefined;
    let rightAgg: SlidingWindowValue | undefined;
    let rightExists = false;
    let previousTs = -1;
    for (let w = 0; w < windows.length; w++) {
      const win = windows[w];
      const start = win.key.start;
      if (start === 0) {
        combined = win;
        if (win.value.maxTs < ts) previousTs = win.value.maxTs;
      } else if (start <= ts) {
        rightAgg = win.value;
        this.update(key, value, ts, start, win.value);
      } else if (start === ts + 1) {
        rightExists = true;
      } else this.unexpected(windows, win, ts);
    }
    // With no later window, the combined window's records after ts are exactly the right window's.
    if (rightAgg === undefined && combined !== undefined && combined.value.maxTs > ts) rightAgg = combined.value;
    if (!rightExists && rightAgg !== undefined && rightAgg.maxTs > ts) this.createRight(key, ts, rightAgg);
    if (previousTs >= 0 && !hasStart(windows, previousTs + 1)) this.update(key, value, ts, previousTs + 1, undefined);
    this.update(key, value, ts, 0, combined === undefined ? { agg: this.node.initializer(), maxTs: ts } : combined.value);
  }

  /** Adds the record to the window starting at `start` (from `current`, or a fresh aggregate) if it is still open. */
  private update(key: unknown, value: unknown, ts: number, start: number, current: SlidingWindowValue | undefined): void {
    if (start + this.td < this.closeTime) {
      this.droppedWindow = true;
      return;
    }
    const agg = this.node.aggregator(key, value, current === undefined ? this.node.initializer() : current.agg);
    const maxTs = current === undefined || current.maxTs < ts ? ts : current.maxTs;
    this.store.put(key, { agg, maxTs }, start, maxTs);
  }

  /** The record's right window holds the records after it: a copy of the aggregate found for them. */
  private createRight(key: unknown, ts: number, rightAgg: SlidingWindowValue): void {
    this.store.put(key, rightAgg, ts + 1, rightAgg.maxTs);
  }

  private dropLate(): void {
    this.late.value++;
    const b = this.batch;
    const i = this.index;
    this.ctx.logger.debug(`Skipping a record for an expired sliding window in "${this.name}"`, {
      topic: b.topic,
      partition: b.partition,
      offset: b.offsets[i],
      timestamp: b.timestamps[i],
      streamTime: this.observedStreamTime,
      closeTime: this.closeTime,
    });
  }

  private unexpected(windows: readonly KeyValueEntry<Windowed<unknown>, SlidingWindowValue>[], win: KeyValueEntry<Windowed<unknown>, SlidingWindowValue>, ts: number): never {
    throw new StreamwrightError(
      'STATE_STORE',
      `Sliding-window aggregation "${this.name}" found window [${win.key.start}, ${win.key.start + this.td}] in store "${this.node.store}" while processing a record at ${ts}; the store holds windows of another size (${windows.length} windows fetched). Reset the application's state (the store changed its window definition).`,
      { node: this.name, store: this.node.store, windowStart: win.key.start, timestamp: ts },
    );
  }
}

function hasStart(windows: readonly KeyValueEntry<Windowed<unknown>, SlidingWindowValue>[], start: number): boolean {
  for (let w = 0; w < windows.length; w++) if (windows[w].key.start === start) return true;
  return false;
}
