import type { SuppressNode } from '../../graph/nodes/suppress-node.js';
import type { Change, Windowed } from '../../graph/processor-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

interface Buffered {
  readonly id: unknown;
  key: unknown;
  change: Change<unknown>;
  readonly time: number;
  timestamp: number;
  bytes: number;
}

/**
 * KTable.suppress() (Kafka Streams' KTableSuppressProcessor). Updates wait in a buffer keyed by
 * record key, ordered by buffer time: the window end for untilWindowCloses, the first update's
 * timestamp for untilTimeLimit. An entry leaves when its buffer time <= stream time - (grace or
 * time limit). Final results drop deletes (they can only retract what was never emitted).
 */
export class SuppressOperator extends BaseOperator {
  private readonly byId = new Map<unknown, Buffered>();
  /** Entries sorted by buffer time (ties in arrival order). */
  private readonly order: Buffered[] = [];
  private observedStreamTime = -1;
  private bytes = 0;

  constructor(private readonly node: SuppressNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const finalResults = this.node.mode.type === 'untilWindowCloses';
    const delay = this.node.mode.type === 'untilWindowCloses' ? this.node.graceMs : this.node.mode.timeLimitMs;
    for (let i = 0, n = batch.length; i < n; i++) {
      const key = batch.keys[i];
      const change = batch.values[i] as Change<unknown>;
      const ts = batch.timestamps[i];
      if (ts > this.observedStreamTime) this.observedStreamTime = ts;
      const id = idOf(key);
      const existing = this.byId.get(id);
      if (existing) {
        this.bytes -= existing.bytes;
        existing.change = { newValue: change.newValue, oldValue: existing.change.oldValue };
        existing.timestamp = ts;
        existing.bytes = this.sizeOf(key, change.newValue);
        this.bytes += existing.bytes;
      } else {
        const time = finalResults ? (key as Windowed<unknown>).end : ts;
        const entry: Buffered = { id, key, change, time, timestamp: ts, bytes: this.sizeOf(key, change.newValue) };
        this.insert(entry);
      }
      this.enforceLimits(out);
      const expiry = this.observedStreamTime - delay;
      while (this.order.length > 0 && this.order[0].time <= expiry) this.evict(out, finalResults);
    }
    this.emit();
  }

  private insert(entry: Buffered): void {
    const order = this.order;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order[mid].time <= entry.time) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, entry);
    this.byId.set(entry.id, entry);
    this.bytes += entry.bytes;
  }

  private evict(out: RecordBatch, dropDeletes: boolean): void {
    const entry = this.order.shift()!;
    this.byId.delete(entry.id);
    this.bytes -= entry.bytes;
    if (dropDeletes && entry.change.newValue === null) return;
    out.push(entry.key, entry.change, entry.timestamp, -1, undefined);
  }

  private enforceLimits(out: RecordBatch): void {
    const { maxRecords, maxBytes, onFull } = this.node;
    while (this.order.length > maxRecords || this.bytes > maxBytes) {
      if (onFull === 'emitEarly') {
        this.evict(out, false);
        continue;
      }
      throw new StreamwrightError(
        'STATE_STORE',
        `Suppression buffer of "${this.name}" is full (${this.order.length} records, ~${this.bytes} bytes; limits ${maxRecords} records, ${maxBytes} bytes) in task ${this.ctx.taskId}. Raise the BufferConfig limits, use BufferConfig.unbounded(), or shorten the grace period so windows close sooner.`,
        { node: this.name, records: this.order.length, bytes: this.bytes },
      );
    }
  }

  private sizeOf(key: unknown, value: unknown): number {
    if (this.node.maxBytes === Number.POSITIVE_INFINITY) return 0;
    return estimateBytes(key) + estimateBytes(value) + 48;
  }
}

function idOf(key: unknown): unknown {
  if (key !== null && typeof key === 'object') {
    const w = key as Windowed<unknown>;
    if ('start' in w && 'end' in w) return `${typeof w.key === 'object' ? JSON.stringify(w.key) : String(w.key)}\u0000${w.start}\u0000${w.end}`;
    return JSON.stringify(key);
  }
  return key;
}

function estimateBytes(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return v.length * 2;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'boolean') return 4;
  if (Buffer.isBuffer(v)) return v.length;
  return JSON.stringify(v)?.length ?? 16;
}
