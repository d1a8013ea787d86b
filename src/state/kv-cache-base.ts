/**
 * The record cache of a key-value store (the core of Kafka Streams' CachingKeyValueStore), typed:
 * values stay JS objects keyed by a key id. Updates to a key between flushes are merged; flush()
 * (at commit) and eviction pass each dirty key once to the change-logging layer and the flush
 * listener. The cache is an LRU (kv-cache-lru.ts, entries found through kv-cache-index.ts) bounded
 * by an approximate byte budget; over budget, the least-recently-used entry is evicted: flushed
 * first when dirty, dropped when clean.
 *
 * What the engine held for a key before its cached updates (the old value, and whether deleting
 * it changes anything) is looked up when an update creates the entry on LevelDB (whose sync
 * reads only answer for keys prefetched for this run), but on the memory engine only at the
 * flush that needs it: a delete, or a listener that wants old values (Kafka reads it at flush).
 * Nothing else writes the key meanwhile, so both see the same value; a put of a new key into a
 * table nobody listens to then costs no engine read.
 */
import type { Serde } from '../graph/serde-types.js';
import type { ChangeLoggingLayer } from './changelogging-kv-layer.js';
import { CacheIndex } from './kv-cache-index.js';
import { CacheEntries, Flushed, LruList, type CacheEntry } from './kv-cache-lru.js';
import { serializeKey } from './key-codec.js';
import { engineKeyId, numberKeyBytes, numberKeyId, smallIdKindOf, type EngineKeyId, type SmallIdKind } from './kv-key-id-codec.js';
import { storedValueBytes } from './kv-value-codec.js';
import { notOpenError } from './store-errors.js';
import type { CacheFlushListener, StoreContext } from './store-types.js';

export abstract class KeyValueCacheBase<K, V> {
  readonly cache = new CacheIndex<CacheEntry<K, V>>();
  protected readonly lru = new LruList<K, V>();
  protected readonly entries = new CacheEntries<K, V>();
  /** Above 0 while flush() goes through the dirty entries it collected or a flush listener runs:
   * entries evicted then are not reused (that list, or an eviction loop further up the stack,
   * still refers to them). */
  private holding = 0;
  protected cachedBytes = 0;
  protected listener: CacheFlushListener<K, V> | undefined;
  /** A listener is set and wants old values. */
  protected wantOld = false;
  protected layer: ChangeLoggingLayer | undefined;
  protected ctx: StoreContext | undefined;
  protected topic = '';
  /** Whether the key serde is the built-in Long or Int: their small number keys need no bytes
   * for their engine id (numberKeyId), so the cache serializes those only when it writes them. */
  protected readonly smallIds: SmallIdKind;

  constructor(
    readonly name: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    protected readonly cacheMaxBytes: number,
  ) {
    this.smallIds = smallIdKindOf(keySerde as Serde<unknown>);
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

  /** The typed value of a stored value (timestamp + value bytes), as interactive queries get them. */
  deserializeStored(stored: Buffer): V {
    return this.valueSerde.deserialize(this.topic, storedValueBytes(stored));
  }

  /** Adds a new entry (its size set) at the most recently used end, then keeps the budget. */
  protected insert(e: CacheEntry<K, V>): void {
    this.cache.add(e);
    this.lru.append(e);
    this.cachedBytes += e.size;
    this.evictOverBudget();
  }

  /** Forgets a cached entry without flushing it (restoration overwrites its key). */
  protected drop(e: CacheEntry<K, V>): void {
    this.cache.delete(e);
    this.lru.unlink(e);
    this.cachedBytes -= e.size;
  }

  protected evictOverBudget(): void {
    const lru = this.lru;
    while (this.cachedBytes > this.cacheMaxBytes && lru.head !== null) {
      const e = lru.head;
      // Flush before dropping: if serialization throws, the update stays cached and dirty.
      if (e.dirty) this.flushEntry(e);
      else if (this.layer!.engine.needsPrefetch) this.rememberClean(e);
      // Still cached and clean (a listener may have touched, updated or dropped it meanwhile).
      if (!e.dirty && lru.has(e)) {
        this.cache.delete(e);
        lru.unlink(e);
        this.cachedBytes -= e.size;
        if (this.holding === 0) this.entries.give(e);
      }
    }
  }

  /** The entry's key bytes: kept, or serialized now (the key was serialized when its entry was
   * created, or is a number numberKeyId() knows the serde writes, so this cannot fail). */
  keyBytesOf(e: CacheEntry<K, V>): Buffer {
    return e.keyBytes ?? numberKeyBytes(this.smallIds, e.key) ?? this.serializeKey(e.key);
  }

  /** The entry's key in the engine. */
  private engineId(e: CacheEntry<K, V>): EngineKeyId {
    return numberKeyId(this.smallIds, e.key) ?? engineKeyId(this.keyBytesOf(e));
  }

  /** A prefetch skipped this key because it was cached: keep it readable until the next prefetch.
   * A clean entry holds what the engine holds. */
  private rememberClean(e: CacheEntry<K, V>): void {
    this.layer!.engine.remember(this.engineId(e), this.serializeValue(e.value), e.timestamp);
  }

  /** The flushed state of a dirty entry, looked up in the memory engine if not known yet (the
   * engine still holds what it held when the entry was created: only this entry writes the key). */
  private flushedStateOf(e: CacheEntry<K, V>): number {
    if (e.flushedState === Flushed.Unknown && !this.layer!.engine.needsPrefetch) {
      const bytes = this.layer!.engine.peekValue(this.engineId(e));
      e.flushedState = bytes === null ? Flushed.Absent : Flushed.Bytes;
      e.flushed = bytes ?? undefined;
    }
    return e.flushedState;
  }

  private flushEntry(e: CacheEntry<K, V>): void {
    const wantOld = this.wantOld;
    if (e.value === undefined || wantOld) this.flushedStateOf(e);
    if (e.value === undefined && e.flushedState === Flushed.Absent) {
      e.dirty = false;
      return;
    }
    const old = wantOld ? this.flushedValueOf(e) : undefined;
    const kb = this.keyBytesOf(e);
    const vb = this.serializeValue(e.value); // may throw: the entry then stays dirty
    e.dirty = false;
    this.layer!.put(this.engineId(e), kb, vb, e.timestamp);
    e.flushedState = e.value === undefined ? Flushed.Absent : Flushed.Typed;
    e.flushed = e.value;
    if (this.listener === undefined) return;
    this.holding++;
    try {
      this.listener(e.key, e.value, old, e.timestamp);
    } finally {
      this.holding--;
    }
  }

  private flushedValueOf(e: CacheEntry<K, V>): V | undefined {
    if (e.flushedState === Flushed.Typed) return e.flushed as V;
    if (e.flushedState === Flushed.Bytes) return this.deserializeValue(e.flushed as Buffer);
    return undefined;
  }

  /** How many keys the dirty entries add to (or, deleting, remove from) the engine's count. */
  dirtyCountDelta(): number {
    let added = 0;
    for (const e of this.cache.values()) {
      if (!e.dirty) continue;
      const state = this.flushedStateOf(e);
      if (e.value !== undefined && state === Flushed.Absent) added++;
      else if (e.value === undefined && state !== Flushed.Absent) added--;
    }
    return added;
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): void {
    this.listener = listener;
    this.wantOld = sendOldValues;
  }

  async flush(): Promise<void> {
    const layer = this.logged('flush');
    const dirty = this.cache.filter(isDirty);
    this.holding++;
    try {
      for (const e of dirty) if (e.dirty) this.flushEntry(e);
    } finally {
      this.holding--;
    }
    await layer.engine.flush();
  }

  protected clearCache(): void {
    this.cache.clear();
    this.lru.clear();
    this.entries.clear();
    this.cachedBytes = 0;
  }
}

const isDirty = (e: CacheEntry<unknown, unknown>): boolean => e.dirty;
