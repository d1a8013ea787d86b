/**
 * Window store laid out by window (Kafka Streams' segmented window store, in memory): one
 * WindowBucket per window start holding every key's aggregate column-wise. Built for tumbling and
 * hopping windows, whose starts are multiples of the advance: a task has a few open windows with
 * many keys each, so a fetch-then-put of a record's window is two Map lookups of one bucket (the
 * second remembered) and expiring a window drops its whole bucket. Any start works; stores whose
 * starts follow record timestamps (joins, sliding windows) use the by-key TimeWindowStore instead.
 *
 * Record cache (BucketCache): updates between flushes stay in the bucket and reach the changelog,
 * LevelDB and the flush listener once per flush (by window start, then the order keys arrived in
 * the window); past `cacheMaxBytes` the oldest dirty windows are flushed early, each given a
 * second chance if it was updated since it became dirty. cacheMaxBytes = 0 sends every update through.
 * Persistent stores mirror flushed windows to LevelDB (WindowLevelMirror) and load it on open.
 */
import { BucketCache } from './bucket-cache.js';
import { bytesId, isPrimitiveKey, serializeKey, splitWindowKey, type KeyId } from './key-codec.js';
import { invalidWindowError, notOpenError } from './store-errors.js';
import { validateWindowOptions } from './store-options.js';
import type { CacheFlushListener, KeyValueEntry, ReadOnlyWindowStore, StoreBuildOptions, StoreContext, WindowStore, Windowed } from './store-types.js';
import { bucketEntries, BucketList, PERSISTED, type WindowBucket } from './window-bucket.js';
import { segmentIntervalMs, WindowLevelMirror } from './window-level-mirror.js';

const DETACHED = { value: 0 };

export class BucketedWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  private readonly buckets = new BucketList<K, V>();
  private readonly cache: BucketCache<K, V>;
  private observed = -Infinity;
  /** End of the oldest bucket (expire() returns at once while the cutoff is below it). */
  private firstEnd = Infinity;
  private ctx: StoreContext | undefined;
  private topic = '';
  private mirror: WindowLevelMirror | undefined;
  /** Largest changelog timestamp restored: a lower bound of the stream time before the restart. */
  private restoredTime = -Infinity;
  /** The slot the last lookup found (a put of the same window follows a fetch). */
  private lastKey: unknown = undefined;
  private lastBucket: WindowBucket<K, V> | undefined = undefined;
  private lastSlot = -1;
  private dropped = DETACHED;
  readonly counters = { puts: DETACHED, fetches: DETACHED, flushes: DETACHED, restores: DETACHED };

  constructor(private readonly opts: StoreBuildOptions<K, V>) {
    const { retentionMs, windowSizeMs } = validateWindowOptions(opts);
    this.name = opts.name;
    this.persistent = opts.persistent;
    this.retentionMs = retentionMs;
    this.windowSizeMs = windowSizeMs;
    this.cache = new BucketCache(opts);
  }

  async open(ctx: StoreContext): Promise<void> {
    const tags = { task: ctx.taskId, store: this.name };
    this.counters.puts = ctx.metrics.counter('put-total', tags);
    this.counters.fetches = ctx.metrics.counter('fetch-total', tags);
    this.counters.flushes = ctx.metrics.counter('flush-total', tags);
    this.counters.restores = ctx.metrics.counter('restore-total', tags);
    this.dropped = ctx.metrics.counter('dropped-records-total', { ...tags, reason: 'expired-window' });
    this.topic = ctx.changelogTopic ?? `${ctx.applicationId}-${this.name}-changelog`;
    if (this.persistent) {
      const mirror = new WindowLevelMirror(this.name, ctx.taskDir, segmentIntervalMs(this.retentionMs));
      await mirror.open((start, kb, vb) => this.apply(kb, start, this.opts.valueSerde.deserialize(this.topic, vb), 0));
      this.mirror = mirror;
    }
    this.cache.attach(this.topic, this.opts.logging && ctx.changelogTopic !== undefined ? ctx : undefined, this.mirror);
    this.ctx = ctx;
  }

  private live(op: string): void {
    if (this.ctx === undefined) throw notOpenError(this.name, op);
  }

  private idOf(key: K): KeyId {
    return isPrimitiveKey(key) ? key : bytesId(serializeKey(this.opts.keySerde, this.topic, key, this.name));
  }

  /** The key's slot in bucket b, or -1; remembers it for the put that follows. */
  private slotOf(b: WindowBucket<K, V>, key: K, id: KeyId): number {
    const i = b.index.get(id);
    if (i === undefined) return -1;
    this.lastKey = key;
    this.lastBucket = b;
    this.lastSlot = i;
    return i;
  }

  fetch(key: K, windowStart: number): V | undefined {
    this.live('fetch');
    this.counters.fetches.value++;
    const b = this.buckets.get(windowStart);
    if (b === undefined) return undefined;
    if (key === this.lastKey && b === this.lastBucket && isPrimitiveKey(key)) return b.values[this.lastSlot];
    const i = this.slotOf(b, key, this.idOf(key));
    return i < 0 ? undefined : b.values[i];
  }

  fetchTimestamp(key: K, windowStart: number): number | undefined {
    this.live('fetch');
    const b = this.buckets.get(windowStart);
    if (b === undefined) return undefined;
    const i = key === this.lastKey && b === this.lastBucket && isPrimitiveKey(key) ? this.lastSlot : this.slotOf(b, key, this.idOf(key));
    return i < 0 || b.values[i] === undefined ? undefined : b.timestamps[i];
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    this.live('fetch');
    this.counters.fetches.value++;
    const out: KeyValueEntry<Windowed<K>, V>[] = [];
    const id = this.idOf(key);
    for (const b of this.buckets.between(timeFrom, timeTo)) {
      const i = b.index.get(id);
      const v = i === undefined ? undefined : b.values[i];
      if (v !== undefined) out.push({ key: { key: b.keyAt(i!, id), start: b.start, end: b.end }, value: v });
    }
    return out;
  }

  put(key: K, value: V | undefined, windowStart: number, timestamp?: number): void {
    this.live('put');
    this.counters.puts.value++;
    const end = windowStart + this.windowSizeMs;
    if (!Number.isSafeInteger(windowStart) || !Number.isSafeInteger(end)) throw invalidWindowError('window', this.name, this.ctx!.taskId, windowStart, end);
    if (end <= this.observed - this.retentionMs) {
      this.dropped.value++; // Kafka drops writes to expired windows
      return;
    }
    const ts = timestamp ?? Date.now();
    const v = value ?? undefined;
    // Without caching, serialize before changing anything, so a serde error leaves the store as it was.
    const vb = this.opts.cacheMaxBytes === 0 && v !== undefined ? this.opts.valueSerde.serialize(this.topic, v) : null;
    // A delete of a window that does not exist changes nothing.
    const i = this.locate(key, windowStart, end, v !== undefined);
    if (i >= 0) this.cache.write(this.lastBucket!, i, key, v, ts, vb);
  }

  /**
   * The slot of key's window starting at windowStart, left in lastBucket / lastSlot for the next
   * call; with `create`, a new (empty) slot, and bucket, when absent; else -1 when absent.
   */
  private locate(key: K, windowStart: number, end: number, create: boolean): number {
    let b = this.buckets.get(windowStart);
    if (b !== undefined && key === this.lastKey && b === this.lastBucket && isPrimitiveKey(key)) return this.lastSlot;
    const id = this.idOf(key);
    if (b === undefined) {
      if (!create) return -1;
      if (!(Number.isSafeInteger(windowStart) && Number.isSafeInteger(end))) throw invalidWindowError('window', this.name, this.ctx!.taskId, windowStart, end);
      b = this.createBucket(windowStart, end);
    }
    const i = this.slotOf(b, key, id);
    return i >= 0 || !create ? i : this.addSlot(b, id, key);
  }

  /**
   * fetch() + aggregator + put() of one record in one lookup, for a tumbling window aggregation's
   * loop: the record at timestamps[at] (>= 0) goes to the window holding it, whose aggregate
   * becomes aggregator(key, value, current ?? initializer()), timestamped with the larger of the
   * record's and the window's timestamp (Kafka's KStreamWindowAggregate). A write to an expired
   * window is dropped and counted, as put() does.
   *
   * The timestamp is read here, not passed: a timestamp is no small integer, and a double passed
   * to a function V8 does not inline is boxed into a new heap number per call. For the same
   * reason the common path (the window of the last record) calls nothing with a timestamp.
   */
  aggregateTumbling<VIn>(key: K, value: VIn, timestamps: readonly number[], at: number, aggregator: (key: K, value: VIn, agg: V) => V, initializer: () => V): void {
    this.live('put');
    const counters = this.counters;
    counters.fetches.value++;
    counters.puts.value++;
    const ts = timestamps[at];
    const size = this.windowSizeMs;
    const start = ts - (ts % size);
    if (start + size <= this.observed - this.retentionMs) {
      this.dropped.value++;
      return;
    }
    let b = this.lastBucket;
    if (b === undefined || b.start !== start) b = this.bucketFor(timestamps, at);
    let i: number;
    if (key === this.lastKey && b === this.lastBucket && isPrimitiveKey(key)) i = this.lastSlot;
    else {
      const id = this.idOf(key);
      i = this.slotOf(b, key, id);
      if (i < 0) i = this.addSlot(b, id, key);
    }
    const old = b.values[i];
    let v: V;
    let t = ts;
    if (old === undefined) v = aggregator(key, value, initializer());
    else {
      v = aggregator(key, value, old);
      const prev = b.timestamps[i];
      if (prev > t) t = prev;
    }
    const vb = this.opts.cacheMaxBytes === 0 && v !== undefined ? this.opts.valueSerde.serialize(this.topic, v) : null;
    b.timestamps[i] = t;
    this.cache.writeValue(b, i, key, v ?? undefined, vb);
  }

  /** The bucket of the tumbling window holding timestamps[at], created when absent. */
  private bucketFor(timestamps: readonly number[], at: number): WindowBucket<K, V> {
    const ts = timestamps[at];
    const start = ts - (ts % this.windowSizeMs);
    const b = this.buckets.get(start);
    if (b !== undefined) return b;
    const end = start + this.windowSizeMs;
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end))) throw invalidWindowError('window', this.name, this.ctx!.taskId, start, end);
    return this.createBucket(start, end);
  }

  private createBucket(start: number, end: number): WindowBucket<K, V> {
    const b = this.buckets.create(start, end);
    if (end < this.firstEnd) this.firstEnd = this.buckets.first()!.end;
    return b;
  }

  /** A new empty slot for the key (its timestamp is set by the write that follows). */
  private addSlot(b: WindowBucket<K, V>, id: KeyId, key: K): number {
    const i = b.add(id, key, undefined);
    this.lastKey = key;
    this.lastBucket = b;
    this.lastSlot = i;
    return i;
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void {
    this.cache.setFlushListener(listener, sendOldValues);
  }

  async flush(): Promise<void> {
    this.live('flush');
    this.counters.flushes.value++;
    this.cache.flushAll(this.buckets);
    await this.mirror?.write();
  }

  /** Drops windows with end <= streamTime - retention; dirty ones are flushed first so no update is lost. */
  expire(streamTime: number): void {
    this.live('expire');
    if (!(streamTime > this.observed)) return;
    this.observed = streamTime;
    const cutoff = streamTime - this.retentionMs;
    if (cutoff < this.firstEnd) return;
    for (let b = this.buckets.first(); b !== undefined && b.end <= cutoff; b = this.buckets.first()) {
      if (b.dirtyCount > 0) this.cache.flushBucket(b);
      b.expired = true;
      this.buckets.removeFirst();
      if (this.lastBucket === b) this.lastBucket = undefined;
    }
    this.firstEnd = this.buckets.first()?.end ?? Infinity;
    // Every window starting at or before cutoff - size has ended by cutoff.
    this.mirror?.expireBefore(cutoff - this.windowSizeMs + 1);
  }

  restore(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.live('restore');
    this.counters.restores.value++;
    const { key: kb, start } = splitWindowKey(this.name, key, `in changelog ${this.topic}`);
    const ts = timestamp ?? 0;
    this.apply(kb, start, value === null ? undefined : this.opts.valueSerde.deserialize(this.topic, value), ts);
    if (this.mirror !== undefined) this.mirror.put(start, kb, value);
    if (ts > this.restoredTime) this.restoredTime = ts;
  }

  /** Sets a window's flushed state from stored bytes (LevelDB load or changelog record). */
  private apply(kb: Buffer, start: number, value: V | undefined, ts: number): void {
    const key = this.opts.keySerde.deserialize(this.topic, kb);
    const id: KeyId = isPrimitiveKey(key) ? key : bytesId(kb);
    let b = this.buckets.get(start);
    if (b === undefined) {
      if (value === undefined) return;
      b = this.createBucket(start, start + this.windowSizeMs);
    }
    let i = b.index.get(id);
    if (i === undefined) {
      if (value === undefined) return;
      i = b.add(id, key, value);
    }
    this.cache.undirty(b, i);
    b.values[i] = value;
    b.olds[i] = undefined;
    b.timestamps[i] = ts;
    b.setMeta(i, value === undefined ? 0 : PERSISTED, 0);
  }

  async restoreBatchDone(): Promise<void> {
    await this.mirror?.write();
  }

  /** Drops what expired before the restart (a changelog record's timestamp is at most the stream
   * time it was written at), then persists the restored windows. */
  async restoreDone(): Promise<void> {
    if (this.restoredTime > -Infinity) this.expire(this.restoredTime);
    await this.mirror?.write();
  }

  /** Live windows with from <= start <= to, by start, then serialized key. */
  private entries(from: number, to: number): KeyValueEntry<Windowed<K>, V>[] {
    this.live('query');
    return bucketEntries(this.buckets.between(from, to), (key) => bytesId(serializeKey(this.opts.keySerde, this.topic, key, this.name)));
  }

  readOnly(): ReadOnlyWindowStore<K, V> {
    return {
      fetch: async (key, windowStart) => this.fetch(key, windowStart),
      fetchRange: async (key, from, to) => this.fetchRange(key, from, to),
      fetchAll: async (from, to) => this.entries(from, to),
      all: async () => this.entries(-Infinity, Infinity),
    };
  }

  private reset(): void {
    for (const b of this.buckets.all()) b.expired = true;
    this.buckets.clear();
    this.cache.reset();
    this.observed = -Infinity;
    this.firstEnd = Infinity;
    this.restoredTime = -Infinity;
    this.lastKey = this.lastBucket = undefined;
    this.ctx = undefined;
  }

  close(): Promise<void> {
    return this.release((m) => m.close());
  }

  destroy(): Promise<void> {
    return this.release((m) => m.destroy());
  }

  private async release(end: (mirror: WindowLevelMirror) => Promise<void>): Promise<void> {
    this.reset();
    const m = this.mirror;
    this.mirror = undefined;
    if (m !== undefined) await end(m);
  }
}
