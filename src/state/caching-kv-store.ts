/**
 * Caching layer of the key-value store (Kafka Streams' CachingKeyValueStore), typed: values stay
 * JS objects keyed by a key id. Updates to a key between flushes are merged; flush() (at commit)
 * and eviction pass each dirty key once to the change-logging layer and the flush listener.
 * The cache is an LRU bounded by an approximate byte budget; over budget, the least-recently-used
 * entry is evicted: flushed first when dirty, dropped when clean. The LRU order is a doubly linked
 * list through the entries (Kafka's NamedCache), so a read or update moves its entry with a few
 * pointer writes, not a Map delete + set.
 * cacheMaxBytes = 0 disables it: every update goes straight through and reaches the listener.
 */
import type { Serde } from '../graph/serde-types.js';
import { ChangeLoggingLayer } from './changelogging-kv-layer.js';
import { bytesId, isPrimitiveKey, serializeKey, type KeyId } from './key-codec.js';
import type { KeyValueEngine } from './kv-engine.js';
import { currentTimestamp, encodeStoredValue, storedTimestamp, storedValueBytes } from './kv-value-codec.js';
import { entrySize } from './size-estimator.js';
import { notLoadedError, notOpenError } from './store-errors.js';
import type { CacheFlushListener, KeyValueStore, ReadOnlyKeyValueStore, StoreContext, ValueAndTimestamp } from './store-types.js';
import { KeyValueReadOnlyView } from './kv-read-only-view.js';


/** What the value was at the last flush: unknown (not loaded), absent, stored bytes (timestamp +
 * value, as the engine holds them), or typed. */
export const Flushed = { Unknown: 0, Absent: 1, Bytes: 2, Typed: 3 } as const;
export type FlushedState = (typeof Flushed)[keyof typeof Flushed];

export interface CacheEntry<K, V> {
  readonly key: K;
  keyBytes: Buffer | undefined;
  /** Current value; undefined = deleted. */
  value: V | undefined;
  dirty: boolean;
  flushedState: FlushedState;
  flushedBytes: Buffer | undefined;
  flushedValue: V | undefined;
  /** The value's timestamp (its update's, or the engine's when loaded clean). */
  timestamp: number;
  size: number;
  /** The entry's key in `cache`. */
  readonly id: KeyId;
  /** Neighbours in the LRU list (prev: less recently used). */
  prev: CacheEntry<K, V> | null;
  next: CacheEntry<K, V> | null;
}

export class CachingKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly cache = new Map<KeyId, CacheEntry<K, V>>();
  /** LRU list: least recently used first. */
  private lruHead: CacheEntry<K, V> | null = null;
  private lruTail: CacheEntry<K, V> | null = null;
  private cachedBytes = 0;
  private listener: CacheFlushListener<K, V> | undefined;
  private sendOldValues = false;
  private layer: ChangeLoggingLayer | undefined;
  private ctx: StoreContext | undefined;
  private topic = '';

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    private readonly cacheMaxBytes: number,
    private readonly logging: boolean,
    private readonly engineFor: (ctx: StoreContext) => KeyValueEngine,
  ) {}

  async open(ctx: StoreContext): Promise<void> {
    const layer = new ChangeLoggingLayer(this.engineFor(ctx), this.logging);
    layer.bind(ctx);
    // Bound before awaiting the engine: an in-memory store is usable as soon as open() is called,
    // which the synchronous TopologyTestDriver relies on.
    this.ctx = ctx;
    this.topic = ctx.changelogTopic ?? `${ctx.applicationId}-${this.name}-changelog`;
    this.layer = layer;
    await layer.engine.open();
  }

  /** The open layer, or STATE_STORE when used outside open()..close(). */
  logged(op: string): ChangeLoggingLayer {
    if (this.layer === undefined) throw notOpenError(this.name, op);
    return this.layer;
  }

  get changelogTopic(): string {
    return this.topic;
  }

  serializeKey(key: K): Buffer {
    return serializeKey(this.keySerde, this.topic, key, this.name);
  }

  serializeValue(value: V | undefined): Buffer | null {
    return value === undefined ? null : this.valueSerde.serialize(this.topic, value);
  }

  deserializeValue(b: Buffer): V {
    return this.valueSerde.deserialize(this.topic, b);
  }

  /** The typed value of an engine's stored value (timestamp + value bytes). */
  deserializeStored(stored: Buffer): V {
    return this.valueSerde.deserialize(this.topic, storedValueBytes(stored));
  }

  get(key: K): V | undefined {
    const id = isPrimitiveKey(key) ? key : bytesId(this.serializeKey(key));
    const e = this.cache.get(id);
    if (e !== undefined) {
      if (e !== this.lruTail) this.touch(e);
      return e.value;
    }
    const kb = this.serializeKey(key);
    const raw = this.logged('get').engine.peek(bytesId(kb));
    if (raw === undefined) throw notLoadedError(this.name, this.ctx!.taskId, 'get');
    const value = raw === null ? undefined : this.deserializeStored(raw);
    if (this.cacheMaxBytes > 0) {
      const size = entrySize(key, value);
      const flushedState = value === undefined ? Flushed.Absent : Flushed.Typed;
      const timestamp = raw === null ? 0 : storedTimestamp(raw);
      const entry: CacheEntry<K, V> = { key, keyBytes: kb, value, dirty: false, flushedState, flushedBytes: undefined, flushedValue: value, timestamp, size, id, prev: null, next: null };
      this.cache.set(id, entry);
      this.append(entry);
      this.cachedBytes += size;
      this.evictOverBudget();
    }
    return value;
  }

  /** get() with the value's timestamp (Kafka's TimestampedKeyValueStore#get); one object per hit. */
  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    const value = this.get(key);
    return value === undefined ? undefined : { value, timestamp: currentTimestamp(this, key) };
  }

  timestampOf(key: K): number | undefined {
    return this.get(key) === undefined ? undefined : currentTimestamp(this, key);
  }

  put(key: K, value: V, timestamp?: number): void {
    this.update(key, value ?? undefined, timestamp ?? Date.now());
  }

  delete(key: K, timestamp?: number): V | undefined {
    const old = this.get(key);
    this.update(key, undefined, timestamp ?? Date.now());
    return old;
  }

  private update(key: K, value: V | undefined, timestamp: number): void {
    const layer = this.logged('put');
    if (this.cacheMaxBytes === 0) {
      this.writeThrough(layer, key, value, timestamp);
      return;
    }
    const id = isPrimitiveKey(key) ? key : bytesId(this.serializeKey(key));
    let e = this.cache.get(id);
    if (e === undefined) {
      const kb = this.serializeKey(key);
      const raw = layer.engine.peek(bytesId(kb));
      if (raw === undefined && this.listener !== undefined && this.sendOldValues) throw notLoadedError(this.name, this.ctx!.taskId, 'put (old value needed)');
      const state = raw === undefined ? Flushed.Unknown : raw === null ? Flushed.Absent : Flushed.Bytes;
      e = { key, keyBytes: kb, value, dirty: true, flushedState: state, flushedBytes: raw ?? undefined, flushedValue: undefined, timestamp, size: 0, id, prev: null, next: null };
      this.cache.set(id, e);
      this.append(e);
    } else {
      if (e !== this.lruTail) this.touch(e);
      e.value = value;
      e.dirty = true;
      e.timestamp = timestamp;
    }
    const size = entrySize(key, value);
    this.cachedBytes += size - e.size;
    e.size = size;
    this.evictOverBudget();
  }

  /** No cache: write + log + listener for this one update. */
  private writeThrough(layer: ChangeLoggingLayer, key: K, value: V | undefined, timestamp: number): void {
    const kb = this.serializeKey(key);
    const id = bytesId(kb);
    const old = layer.engine.peek(id);
    if (value === undefined && old === null) return; // deleting an absent key changes nothing
    const wantOld = this.listener !== undefined && this.sendOldValues;
    if (old === undefined && wantOld) throw notLoadedError(this.name, this.ctx!.taskId, 'put (old value needed)');
    const oldValue = wantOld && old ? this.deserializeStored(old) : undefined;
    layer.put(id, kb, this.serializeValue(value), timestamp);
    if (this.listener !== undefined) this.listener(key, value, oldValue, timestamp);
  }

  private evictOverBudget(): void {
    while (this.cachedBytes > this.cacheMaxBytes && this.lruHead !== null) {
      const e = this.lruHead;
      const id = e.id;
      // Flush before dropping: if serialization throws, the update stays cached and dirty.
      if (e.dirty) this.flushEntry(e);
      else if (this.layer!.engine.needsPrefetch) this.rememberClean(e);
      if (this.cache.get(id) === e && !e.dirty) {
        this.cache.delete(id);
        this.unlink(e);
        this.cachedBytes -= e.size;
      }
    }
  }

  /** Moves a cached entry to the most recently used end of the LRU list. */
  private touch(e: CacheEntry<K, V>): void {
    this.unlink(e);
    this.append(e);
  }

  private append(e: CacheEntry<K, V>): void {
    const tail = this.lruTail;
    e.prev = tail;
    e.next = null;
    if (tail === null) this.lruHead = e;
    else tail.next = e;
    this.lruTail = e;
  }

  private unlink(e: CacheEntry<K, V>): void {
    const { prev, next } = e;
    if (prev === null) this.lruHead = next;
    else prev.next = next;
    if (next === null) this.lruTail = prev;
    else next.prev = prev;
    e.prev = e.next = null;
  }

  private clearCache(): void {
    this.cache.clear();
    this.lruHead = this.lruTail = null;
    this.cachedBytes = 0;
  }

  /** A prefetch skipped this key because it was cached: keep it readable until the next prefetch. */
  private rememberClean(e: CacheEntry<K, V>): void {
    const kb = e.keyBytes ?? (e.keyBytes = this.serializeKey(e.key));
    const stored = e.flushedState === Flushed.Bytes ? e.flushedBytes! : encodeStoredValue(this.serializeValue(e.value), e.timestamp);
    this.layer!.engine.remember(bytesId(kb), stored);
  }

  private flushEntry(e: CacheEntry<K, V>): void {
    if (e.value === undefined && e.flushedState === Flushed.Absent) {
      e.dirty = false;
      return;
    }
    const old = this.listener !== undefined && this.sendOldValues ? this.flushedValueOf(e) : undefined;
    const kb = e.keyBytes ?? (e.keyBytes = this.serializeKey(e.key));
    const vb = this.serializeValue(e.value); // may throw: the entry then stays dirty
    e.dirty = false;
    this.layer!.put(bytesId(kb), kb, vb, e.timestamp);
    e.flushedState = e.value === undefined ? Flushed.Absent : Flushed.Typed;
    e.flushedValue = e.value;
    e.flushedBytes = undefined;
    if (this.listener !== undefined) this.listener(e.key, e.value, old, e.timestamp);
  }

  private flushedValueOf(e: CacheEntry<K, V>): V | undefined {
    if (e.flushedState === Flushed.Typed) return e.flushedValue;
    if (e.flushedState === Flushed.Bytes) return this.deserializeStored(e.flushedBytes!);
    return undefined;
  }

  prefetch(keys: readonly K[]): Promise<void> | undefined {
    const engine = this.logged('prefetch').engine;
    if (!engine.needsPrefetch) return undefined;
    let ids: string[] | undefined;
    let kbs: Buffer[] | undefined;
    let seen: Set<string> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (isPrimitiveKey(key) && this.cache.has(key)) continue;
      const kb = this.serializeKey(key);
      const bid = bytesId(kb);
      if (this.cache.has(bid) || engine.peek(bid) !== undefined) continue;
      if (ids === undefined) {
        ids = [];
        kbs = [];
        seen = new Set();
      }
      if (seen!.has(bid)) continue;
      seen!.add(bid);
      ids.push(bid);
      kbs!.push(kb);
    }
    return ids === undefined ? undefined : engine.load(ids, kbs!);
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  async flush(): Promise<void> {
    const layer = this.logged('flush');
    const dirty: CacheEntry<K, V>[] = [];
    for (const e of this.cache.values()) if (e.dirty) dirty.push(e);
    for (const e of dirty) if (e.dirty) this.flushEntry(e);
    await layer.engine.flush();
  }

  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    const layer = this.logged('restore');
    if (this.cache.size > 0) {
      const k = this.keySerde.deserialize(this.topic, key);
      const id = isPrimitiveKey(k) ? k : bytesId(key);
      const e = this.cache.get(id);
      if (e !== undefined) {
        this.cache.delete(id);
        this.unlink(e);
        this.cachedBytes -= e.size;
      }
    }
    layer.restore(key, value, timestamp);
  }

  /** Writes what restoration applied so far (called between restore batches). */
  restoreBatchDone(): Promise<void> {
    return this.logged('restore').engine.flush();
  }

  restoreDone(): Promise<void> {
    return this.restoreBatchDone();
  }

  readOnly(): ReadOnlyKeyValueStore<K, V> {
    return new KeyValueReadOnlyView(this);
  }

  async close(): Promise<void> {
    const layer = this.layer;
    this.layer = undefined;
    this.clearCache();
    await layer?.engine.close();
  }

  async destroy(): Promise<void> {
    const layer = this.layer;
    this.layer = undefined;
    this.clearCache();
    if (layer !== undefined) await layer.engine.destroy();
  }
}
