import type { SuppressNode } from '../../graph/nodes/suppress-node.js';
import type { Change, Windowed } from '../../graph/processor-types.js';
import type { KeyValueEntry, KeyValueStore } from '../../state/store-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { type Buffered, type StoredUpdate, SuppressSpill } from './suppress-spill.js';

/**
 * KTable.suppress() (Kafka Streams' KTableSuppressProcessor). Updates wait in a buffer keyed by
 * record key, ordered by buffer time: the window end for untilWindowCloses, the first update's
 * timestamp for untilTimeLimit. An entry leaves when its buffer time <= stream time - (grace or
 * time limit). Final results drop deletes (they can only retract what was never emitted).
 *
 * The buffer is durable: the in-memory index is mirrored into a changelogged key-value store (put
 * when an update is buffered, delete when it is emitted), so the input offsets committed while
 * updates wait do not lose them. On start the index is rebuilt from the restored store; the store
 * only offers an asynchronous scan, so records processed before the scan completes are merged
 * with it (a key updated meanwhile keeps its newer entry).
 *
 * With spillToDiskWhenFull (and a persistent store) the entries beyond the limits keep only their
 * index in memory; SuppressSpill handles them. The in-memory entries are always the first
 * `memCount` of `order` (the soonest due), so the synchronous path only ever emits from memory.
 */
export class SuppressOperator extends BaseOperator {
  readonly byId = new Map<unknown, Buffered>();
  /** Entries sorted by buffer time (ties in arrival order); order[0..memCount) hold their value. */
  readonly order: Buffered[] = [];
  /** Entries at the head of `order` whose value is in memory. */
  memCount = 0;
  /** Estimated bytes of the in-memory entries. */
  bytes = 0;
  store!: KeyValueStore<unknown, StoredUpdate>;
  private observedStreamTime = -1;
  /** Ids written since init while the rebuild scan is pending; undefined once it has merged. */
  private touched: Set<unknown> | undefined = new Set();
  private rebuilding: Promise<void> | undefined;
  private rebuildError: unknown;
  /** Set when this buffer spills (spillToDiskWhenFull on a persistent store). */
  private spill: SuppressSpill | undefined;

  constructor(readonly node: SuppressNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.node.bufferSerdes.bindDefaults(ctx.defaultKeySerde, ctx.defaultValueSerde);
    this.store = ctx.getStateStore(this.node.store) as KeyValueStore<unknown, StoredUpdate>;
    // An in-memory store (the TopologyTestDriver) has nothing to spill to: the buffer stays in memory.
    if (this.node.onFull === 'spillToDisk' && this.store.persistent) {
      if (ctx.registerAsyncStep === undefined) {
        throw new StreamwrightError('STATE_STORE', `Suppression "${this.name}" spills to disk, but task ${ctx.taskId} runs no asynchronous steps to read spilled entries back.`, { node: this.name, store: this.node.store });
      }
      const spill = new SuppressSpill(this);
      this.spill = spill;
      ctx.registerAsyncStep(() => (this.touched !== undefined ? this.rebuilding : spill.step()));
    }
    this.rebuilding = this.store
      .readOnly()
      .all()
      .then(
        (entries) => this.rebuild(entries),
        (err: unknown) => {
          this.rebuildError = err;
        },
      );
  }

  get taskId(): string {
    return this.ctx.taskId;
  }

  /** Number of buffered keys (for tests and metrics). */
  get bufferedCount(): number {
    return this.order.length + (this.spill?.heldCount ?? 0);
  }

  /** Number of buffered keys whose value is only in the store (for tests and metrics). */
  get spilledCount(): number {
    return this.order.length - this.memCount;
  }

  /** True once the buffer has been rebuilt from its store. */
  get rebuilt(): boolean {
    return this.touched === undefined;
  }

  private rebuild(entries: readonly KeyValueEntry<unknown, StoredUpdate>[]): void {
    const touched = this.touched!;
    this.touched = undefined;
    for (const e of entries) {
      const id = idOf(e.key);
      if (touched.has(id) || this.byId.has(id)) continue;
      const v = e.value;
      if (v.timestamp > this.observedStreamTime) this.observedStreamTime = v.timestamp;
      this.insert({ id, key: e.key, change: v.change, time: v.time, timestamp: v.timestamp, bytes: this.sizeOf(e.key, v.change.newValue), spilled: false, merge: false, unwritten: false });
    }
    this.spill?.fitInMemory();
  }

  process(batch: RecordBatch): void {
    if (this.rebuildError !== undefined) {
      throw new StreamwrightError(
        'STATE_STORE',
        `Suppression "${this.name}" in task ${this.ctx.taskId} could not rebuild its buffer from store "${this.node.store}": ${String(this.rebuildError)}. Check the store's changelog, or reset the application's state.`,
        { node: this.name, store: this.node.store },
        { cause: this.rebuildError },
      );
    }
    const out = this.begin(batch);
    const finalResults = this.node.mode.type === 'untilWindowCloses';
    const delay = this.node.mode.type === 'untilWindowCloses' ? this.node.graceMs : this.node.mode.timeLimitMs;
    const touched = this.touched;
    const spill = this.spill;
    for (let i = 0, n = batch.length; i < n; i++) {
      const key = batch.keys[i];
      const change = batch.values[i] as Change<unknown>;
      const ts = batch.timestamps[i];
      if (ts > this.observedStreamTime) this.observedStreamTime = ts;
      const id = idOf(key);
      if (touched !== undefined) touched.add(id);
      let entry = this.byId.get(id);
      if (entry !== undefined) {
        const size = this.sizeOf(key, change.newValue);
        if (!entry.spilled) this.bytes += size - entry.bytes;
        entry.bytes = size;
        entry.timestamp = ts;
        if (entry.change !== undefined) entry.change = { newValue: change.newValue, oldValue: entry.change.oldValue };
        else {
          // Spilled and written: its oldValue is only in the store; the next async step merges it.
          entry.change = { newValue: change.newValue, oldValue: null };
          entry.merge = true;
        }
      } else {
        const time = finalResults ? (key as Windowed<unknown>).end : ts;
        entry = { id, key, change, time, timestamp: ts, bytes: this.sizeOf(key, change.newValue), spilled: false, merge: false, unwritten: false };
        this.insert(entry);
      }
      if (spill === undefined || !spill.defersWrite(entry)) {
        this.store.put(key, { time: entry.time, timestamp: entry.timestamp, change: entry.change! }, ts);
        if (entry.spilled) entry.change = undefined; // its value now lives only in the store
      }
      this.enforceLimits(out, batch, i);
      const expiry = this.observedStreamTime - delay;
      while (this.order.length > 0 && this.order[0].time <= expiry) {
        if (spill !== undefined && !spill.emitsNow(this.order[0])) spill.hold(this.order.shift()!);
        else this.evict(out, finalResults);
      }
    }
    this.emit();
  }

  /** Adds an entry at its buffer-time position: in memory if it lands among the in-memory head. */
  insert(entry: Buffered): void {
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
    if (lo <= this.memCount) {
      entry.spilled = false;
      this.memCount++;
      this.bytes += entry.bytes;
    } else this.spill!.spilled(entry);
  }

  /** Emits the head entry, which is in memory, and removes it from the buffer and its store. */
  private evict(out: RecordBatch, dropDeletes: boolean): void {
    const entry = this.order.shift()!;
    this.byId.delete(entry.id);
    this.memCount--;
    this.bytes -= entry.bytes;
    if (this.spill !== undefined) this.spill.deleteStored(entry.key, entry.timestamp);
    else this.store.delete(entry.key, entry.timestamp);
    if (dropDeletes && entry.change!.newValue === null) return;
    out.push(entry.key, entry.change, entry.timestamp, -1, undefined);
  }

  private enforceLimits(out: RecordBatch, batch: RecordBatch, i: number): void {
    const { maxRecords, maxBytes, onFull } = this.node;
    // A spilling buffer on an in-memory store (the TopologyTestDriver) has no disk: unbounded.
    if (onFull === 'spillToDisk' && this.spill === undefined) return;
    while (this.memCount > maxRecords || this.bytes > maxBytes) {
      if (this.spill !== undefined) {
        this.spill.spillTail();
        continue;
      }
      if (onFull === 'emitEarly') {
        this.evict(out, false);
        continue;
      }
      throw new StreamwrightError(
        'STATE_STORE',
        `Suppression buffer of "${this.name}" is full (${this.order.length} records, ~${this.bytes} bytes; limits ${maxRecords} records, ${maxBytes} bytes) in task ${this.ctx.taskId}, at an update from topic "${batch.topic}", partition ${batch.partition}${batch.offsets[i] >= 0 ? `, offset ${batch.offsets[i]}` : ''}. Raise BufferConfig.maxRecords/maxBytes, use BufferConfig.unbounded() or .spillToDiskWhenFull(), or shorten the grace period or time limit so entries leave sooner.`,
        { node: this.name, store: this.node.store, records: this.order.length, bytes: this.bytes, maxRecords, maxBytes, topic: batch.topic, partition: batch.partition, offset: batch.offsets[i] },
      );
    }
  }

  /** Sends records to the children outside process() (the spill step). */
  emitRecords(records: readonly Buffered[], dropDeletes: boolean): void {
    const out = this.out;
    out.clear();
    out.topic = '';
    out.partition = -1;
    for (const e of records) if (!(dropDeletes && e.change!.newValue === null)) out.push(e.key, e.change, e.timestamp, -1, undefined);
    this.emit();
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
