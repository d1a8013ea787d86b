import type { CachingKeyValueStore } from './caching-kv-store.js';
import { bytesId, isPrimitiveKey } from './key-codec.js';
import type { KeyValueEntry, ReadOnlyKeyValueStore } from './store-types.js';

/**
 * Interactive-query view of a key-value store: the cache (including updates not flushed yet)
 * merged over the engine, ranges in serialized-key order.
 */
export class KeyValueReadOnlyView<K, V> implements ReadOnlyKeyValueStore<K, V> {
  constructor(private readonly store: CachingKeyValueStore<K, V>) {}

  async get(key: K): Promise<V | undefined> {
    const s = this.store;
    const e = s.cache.get(isPrimitiveKey(key) ? key : bytesId(s.serializeKey(key)));
    if (e !== undefined) return e.value;
    const kb = s.serializeKey(key);
    const raw = await s.logged('query').engine.read(kb);
    return raw === undefined ? undefined : s.deserializeStored(raw);
  }

  async range(from: K | undefined, to: K | undefined): Promise<KeyValueEntry<K, V>[]> {
    const s = this.store;
    const lo = from === undefined ? undefined : s.serializeKey(from);
    const hi = to === undefined ? undefined : s.serializeKey(to);
    const stored = await s.logged('query').engine.entries(lo, hi);
    const loId = lo === undefined ? undefined : bytesId(lo);
    const hiId = hi === undefined ? undefined : bytesId(hi);
    // Dirty cache entries are newer than the engine.
    const overlay = new Map<string, { key: K; value: V | undefined }>();
    for (const e of s.cache.values()) {
      if (!e.dirty) continue;
      const kb = s.keyBytesOf(e);
      const id = bytesId(kb);
      if ((loId !== undefined && id < loId) || (hiId !== undefined && id > hiId)) continue;
      overlay.set(id, { key: e.key, value: e.value });
    }
    const topic = s.changelogTopic;
    const out: { id: string; entry: KeyValueEntry<K, V> }[] = [];
    for (const [kb, vb] of stored) {
      const id = bytesId(kb);
      if (overlay.has(id)) continue;
      out.push({ id, entry: { key: s.keySerde.deserialize(topic, kb), value: s.deserializeStored(vb) } });
    }
    if (overlay.size === 0) return out.map((o) => o.entry);
    for (const [id, o] of overlay) if (o.value !== undefined) out.push({ id, entry: { key: o.key, value: o.value } });
    out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out.map((o) => o.entry);
  }

  all(): Promise<KeyValueEntry<K, V>[]> {
    return this.range(undefined, undefined);
  }

  async approximateNumEntries(): Promise<number> {
    const s = this.store;
    const added = s.dirtyCountDelta();
    return Math.max(0, (await s.logged('query').engine.count()) + added);
  }
}
