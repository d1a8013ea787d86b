/**
 * Stored form of a key-value store's value (Kafka Streams' timestamped key-value layout,
 * `ValueAndTimestamp`): the value's timestamp as 8 big-endian signed bytes (epoch ms), then the
 * value serde's bytes. LevelDB holds values in this form; the memory engine keeps the value bytes
 * and the timestamp apart and builds the form only for interactive queries. The changelog carries
 * the plain value bytes with the timestamp as the record's timestamp, so restoration rebuilds the
 * same stored form.
 */
import { readTimestamp, TIMESTAMP_BYTES, writeTimestamp } from './key-codec.js';

/** A fresh buffer (the engine may keep it): timestamp + value bytes; null (a delete) stays null. */
export function encodeStoredValue(valueBytes: Buffer | null, timestamp: number): Buffer | null {
  if (valueBytes === null) return null;
  const out = Buffer.allocUnsafe(TIMESTAMP_BYTES + valueBytes.length);
  writeTimestamp(out, 0, timestamp);
  out.set(valueBytes, TIMESTAMP_BYTES);
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
