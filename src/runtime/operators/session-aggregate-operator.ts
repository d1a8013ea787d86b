import type { SessionAggregateNode } from '../../graph/nodes/session-aggregate-node.js';
import type { SessionStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/**
 * Session window aggregation (Kafka Streams' KStreamSessionWindowAggregate). A record joins every
 * session of its key within the inactivity gap; they merge into one session [min start, max end]
 * (ends are inclusive: the last record's timestamp). Merged-away sessions are removed, which emits
 * a delete for them. A record whose merged session ends before stream time - gap - grace is dropped
 * (Kafka Streams 3.0+, KAFKA-12718: a session stays open for a gap after its end, plus grace).
 * Updates are timestamped with the session's end. Stream time is this operator's own (the largest
 * timestamp it has aggregated), so each input of a cogroup judges lateness by its own records.
 */
export class SessionAggregateOperator extends ChangeForwarder {
  private store!: SessionStore<unknown, unknown>;
  private observedStreamTime = -1;
  private late!: { value: number };

  constructor(private readonly node: SessionAggregateNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = this.changeStore<SessionStore<unknown, unknown>>(this.node.store);
    this.late = this.droppedCounter('late');
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const value = batch.values[i];
    if (key === null || key === undefined || value === null || value === undefined) return this.skipNull();
    const ts = batch.timestamps[i];
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const { gapMs, graceMs } = this.node.windows;
    const closeTime = this.observedStreamTime - graceMs - gapMs;
    const overlapping = this.store.findSessions(key, ts - gapMs, ts + gapMs);
    let start = ts;
    let end = ts;
    let agg = this.node.initializer();
    for (const s of overlapping) {
      agg = this.node.merger(key, agg, s.value);
      if (s.key.start < start) start = s.key.start;
      if (s.key.end > end) end = s.key.end;
    }
    if (end < closeTime) {
      this.late.value++;
      return;
    }
    for (const s of overlapping) {
      if (s.key.start !== start || s.key.end !== end) this.store.remove(s.key, s.key.end);
    }
    // As in Kafka Streams, a session's updates carry its end (its latest record) as timestamp, so
    // downstream stream time (suppress) keeps advancing when the cache merges a session's updates.
    this.store.put({ key, start, end }, this.node.aggregator(key, value, agg), end);
    this.store.expire(this.observedStreamTime);
  }
}
