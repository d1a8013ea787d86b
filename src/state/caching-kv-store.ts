/**
 * Caching layer of the key-value store (Kafka Streams' CachingKeyValueStore): the record cache
 * (kv-cache-base.ts) over the change-logging layer and an engine, with the store's reads, writes,
 * prefetches and restoration. cacheMaxBytes = 0 disables the cache: every update goes straight
 * through and reaches the listener.
 */
import type { Serde } from '../graph/serde-types.js';
import { ChangeLoggingLayer } from './changelogging-kv-layer.js';
import { KeyValueCacheBase } from './kv-cache-base.js';
import { Flushed } from './kv-cache-lru.js';
import { isPrimitiveKey, type KeyId } from './key-codec.js';
import type { KeyValueEngine } from './kv-engine.js';
import { engineKeyId, keyIdOf, numberKeyId, type EngineKeyId } from './kv-key-id-codec.js';
import { KeyValueReadOnlyView } from './kv-read-only-view.js';
import { entrySize } from './size-estimator.js';
import { notLoadedError } from './store-errors.js';
import type { KeyValueStore, ReadOnlyKeyValueStore, StoreContext, ValueAndTimestamp } from './store-types.js';

export { Flushed, type CacheEntry, type FlushedState } from './kv-cache-lru.js';

export class CachingKeyValueStore<K, V> extends KeyValueCacheBase<K, V> implements KeyValueStore<K, V> {
  constructor(
    name: string,
    readonly persistent: boolean,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    cacheMaxBytes: number,
    private readonly logging: boolean,
    private readonly engineFor: (ctx: StoreContext) => KeyValueEngine,
  ) {
    super(name, keySerde, valueSerde, cacheMaxBytes);
  }

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

  get(key: K): V | undefined {
    let kb: Buffer | undefined;
    const id = isPrimitiveKey(key) ? key : keyIdOf((kb = this.serializeKey(key)));
    const e = this.cache.get(id);
    if (e !== undefined) {
      this.lru.touch(e);
      return e.value;
    }
    return this.load(key, id, kb);
  }

  /** A cache miss: reads the engine and caches what it holds as a clean entry (absence too, on LevelDB).
   * kb: the key's bytes if serialized already. */
  private load(key: K, id: KeyId, kb: Buffer | undefined): V | undefined {
    const engine = this.logged('get').engine;
    let eid: EngineKeyId | undefined = kb === undefined ? numberKeyId(this.smallIds, key) : undefined;
    if (eid === undefined) eid = engineKeyId((kb ??= this.serializeKey(key)));
    const bytes = engine.peekValue(eid);
    if (bytes === undefined) throw notLoadedError(this.name, this.ctx!.taskId, 'get');
    // As in Kafka's CachingKeyValueStore, a key the store does not hold is not cached (it would
    // take room, and evict entries, for nothing: the memory engine answers again as cheaply). A
    // LevelDB store caches the absence: its sync reads only answer for keys prefetched this run.
    if (bytes === null && !engine.needsPrefetch) return undefined;
    const value = bytes === null ? undefined : this.deserializeValue(bytes);
    if (this.cacheMaxBytes > 0) {
      const timestamp = bytes === null ? 0 : engine.peekTimestamp(eid);
      const e = this.entries.take(key, id, kb, value, timestamp, false, value === undefined ? Flushed.Absent : Flushed.Typed, value);
      e.size = entrySize(key, value);
      this.insert(e);
    }
    return value;
  }

  /** get() with the value's timestamp (Kafka's TimestampedKeyValueStore#get); one object per hit. */
  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    const value = this.get(key);
    return value === undefined ? undefined : { value, timestamp: this.currentTimestamp(key) };
  }

  timestampOf(key: K): number | undefined {
    return this.get(key) === undefined ? undefined : this.currentTimestamp(key);
  }

  /** The timestamp of the value get(key) has just returned: its cache entry's (get() caches what
   * it loads when caching is on), else the engine's. */
  private currentTimestamp(key: K): number {
    let kb: Buffer | undefined;
    const e = this.cache.get(isPrimitiveKey(key) ? key : keyIdOf((kb = this.serializeKey(key))));
    if (e !== undefined) return e.timestamp;
    return this.logged('get').engine.peekTimestamp(engineKeyId(kb ?? this.serializeKey(key)));
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
    let kb: Buffer | undefined;
    const id = isPrimitiveKey(key) ? key : keyIdOf((kb = this.serializeKey(key)));
    let e = this.cache.get(id);
    if (e === undefined) {
      // Serialized now, as Kafka's cache holds key bytes: a key the serde cannot write fails its
      // put. A number the Long or Int serde writes is known to be writable without the bytes.
      const small = kb === undefined ? numberKeyId(this.smallIds, key) : undefined;
      if (small === undefined) kb ??= this.serializeKey(key);
      const engine = layer.engine;
      let bytes: Buffer | null | undefined;
      if (engine.needsPrefetch) {
        bytes = engine.peekValue(small ?? engineKeyId(kb!));
        if (bytes === undefined && this.wantOld) throw notLoadedError(this.name, this.ctx!.taskId, 'put (old value needed)');
      }
      const state = bytes === undefined ? Flushed.Unknown : bytes === null ? Flushed.Absent : Flushed.Bytes;
      e = this.entries.take(key, id, kb, value, timestamp, true, state, bytes ?? undefined);
      this.cache.add(e);
      this.lru.append(e);
    } else {
      this.lru.touch(e);
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
    const id = engineKeyId(kb);
    const old = layer.engine.peekValue(id);
    if (value === undefined && old === null) return; // deleting an absent key changes nothing
    if (old === undefined && this.wantOld) throw notLoadedError(this.name, this.ctx!.taskId, 'put (old value needed)');
    const oldValue = this.wantOld && old ? this.deserializeValue(old) : undefined;
    layer.put(id, kb, this.serializeValue(value), timestamp);
    if (this.listener !== undefined) this.listener(key, value, oldValue, timestamp);
  }

  prefetch(keys: readonly K[]): Promise<void> | undefined {
    const engine = this.logged('prefetch').engine;
    if (!engine.needsPrefetch) return undefined;
    let ids: EngineKeyId[] | undefined;
    let kbs: Buffer[] | undefined;
    let seen: Set<EngineKeyId> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const primitive = isPrimitiveKey(key);
      if (primitive && this.cache.has(key)) continue;
      const kb = this.serializeKey(key);
      if (!primitive && this.cache.has(keyIdOf(kb))) continue;
      const eid = engineKeyId(kb);
      if (engine.knows(eid)) continue;
      if (ids === undefined) {
        ids = [];
        kbs = [];
        seen = new Set();
      }
      if (seen!.has(eid)) continue;
      seen!.add(eid);
      ids.push(eid);
      kbs!.push(kb);
    }
    return ids === undefined ? undefined : engine.load(ids, kbs!);
  }

  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    const layer = this.logged('restore');
    if (this.cache.size > 0) {
      const k = this.keySerde.deserialize(this.topic, key);
      const id = isPrimitiveKey(k) ? k : keyIdOf(key);
      const e = this.cache.get(id);
      if (e !== undefined) this.drop(e);
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
