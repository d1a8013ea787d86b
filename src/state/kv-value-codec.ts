/**
 * Stored form of a key-value store's value in its engine (Kafka Streams' timestamped key-value
 * layout, `ValueAndTimestamp`): the value's timestamp as 8 big-endian signed bytes (epoch ms),
 * then the value serde's bytes. The changelog carries the plain value bytes with the timestamp as
 * the record's timestamp, so restoration rebuilds the same stored form.
 */
import type { CachingKeyValueStore } from './caching-kv-store.js';
import { bytesId, isPrimitiveKey, readTimestamp, TIMESTAMP_BYTES, writeTimestamp } from './key-codec.js';

/** A fresh buffer (the engine may keep it): timestamp + value bytes; null (a delete) stays null. */
export function encodeStoredValue(valueBytes: Buffer | null, timestamp: number): Buffer | null {
  if (valueBytes === null) return null;
  const out = Buffer.allocUnsafe(TIMESTAMP_BYTES + valueBytes.length);
  writeTimestamp(out, 0, timestamp);
  valueBytes.copy(out, TIMESTAMP_BYTES);
  return out;
}

/** The timestamp of a stored value. */
export function storedTimestamp(stored: Buffer): number {
  return readTimestamp(stored, 0);
}

/** The value serde's bytes of a stored value (a view, no copy). */
export function storedValueBytes(stored: Buffer): Buffer {
  return stored.subarray(TIMESTAMP_BYTES);
}

/**
 * The timestamp of the value `store.get(key)` has just returned: its cache entry's (get() caches
 * what it loads when caching is on), else the engine's stored value's.
 */
export function currentTimestamp<K, V>(store: CachingKeyValueStore<K, V>, key: K): number {
  const primitive = isPrimitiveKey(key);
  const bid = primitive ? undefined : bytesId(store.serializeKey(key));
  const e = store.cache.get(primitive ? key : bid!);
  if (e !== undefined) return e.timestamp;
  const stored = store.logged('get').engine.peek(bid ?? bytesId(store.serializeKey(key)));
  return stored ? storedTimestamp(stored) : 0;
}
