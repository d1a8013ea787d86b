/**
 * Byte layouts of store keys (see FORMAT.md) and the in-memory key ids the caches use.
 * Timestamps are written as 8-byte big-endian signed integers, like Kafka's LongSerde.
 */
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Serde } from '../graph/serde-types.js';

export const TIMESTAMP_BYTES = 8;
const TWO_32 = 4294967296;

export type KeyId = string | number | boolean | bigint;

/** Keys that are their own Map id (no serialization needed); other keys use their bytes as latin1. */
export function isPrimitiveKey(key: unknown): key is KeyId {
  const t = typeof key;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** Latin1 strings compare like the bytes they hold, so they sort in serialized-key order. */
export function bytesId(b: Buffer): string {
  return b.toString('latin1');
}

export function serializeKey<K>(serde: Serde<K>, topic: string, key: K, store: string): Buffer {
  const b = serde.serialize(topic, key);
  if (b === null) {
    throw new StreamwrightError(
      'SERIALIZATION',
      `State store "${store}": the key serde ${serde.name} turned a key into null; store keys must not be null. Filter out null keys before the stateful operation.`,
      { store },
    );
  }
  return b;
}

export function writeTimestamp(buf: Buffer, offset: number, t: number): void {
  const hi = Math.floor(t / TWO_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(t - hi * TWO_32, offset + 4);
}

export function readTimestamp(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** Window store key: serialized key + 8-byte window start. */
export function windowKeyBytes(key: Buffer, start: number): Buffer {
  const b = Buffer.allocUnsafe(key.length + TIMESTAMP_BYTES);
  key.copy(b, 0);
  writeTimestamp(b, key.length, start);
  return b;
}

/** windowKeyBytes() for a key held as its bytes' latin1 string (see bytesId). */
export function windowKeyFromId(keyId: string, start: number): Buffer {
  const n = keyId.length;
  const b = Buffer.allocUnsafe(n + TIMESTAMP_BYTES);
  b.write(keyId, 0, n, 'latin1');
  writeTimestamp(b, n, start);
  return b;
}

/** sessionKeyBytes() for a key held as its bytes' latin1 string (see bytesId). */
export function sessionKeyFromId(keyId: string, start: number, end: number): Buffer {
  const n = keyId.length;
  const b = Buffer.allocUnsafe(n + 2 * TIMESTAMP_BYTES);
  b.write(keyId, 0, n, 'latin1');
  writeTimestamp(b, n, end);
  writeTimestamp(b, n + TIMESTAMP_BYTES, start);
  return b;
}

/** Session store key (Kafka's SessionKeySchema): serialized key + 8-byte end + 8-byte start. */
export function sessionKeyBytes(key: Buffer, start: number, end: number): Buffer {
  const b = Buffer.allocUnsafe(key.length + 2 * TIMESTAMP_BYTES);
  key.copy(b, 0);
  writeTimestamp(b, key.length, end);
  writeTimestamp(b, key.length + TIMESTAMP_BYTES, start);
  return b;
}

function tooShort(store: string, kind: string, b: Buffer, need: number, where: string): StreamwrightError {
  return new StreamwrightError(
    'DESERIALIZATION',
    `State store "${store}": a ${kind} key ${where} has ${b.length} bytes, fewer than the ${need} its layout needs. ` +
      'The changelog topic or state directory holds data of another store type; delete the local state and check the topic.',
    { store, length: b.length },
  );
}

export function splitWindowKey(store: string, b: Buffer, where: string): { key: Buffer; start: number } {
  if (b.length < TIMESTAMP_BYTES) throw tooShort(store, 'window', b, TIMESTAMP_BYTES, where);
  const n = b.length - TIMESTAMP_BYTES;
  return { key: b.subarray(0, n), start: readTimestamp(b, n) };
}

export function splitSessionKey(store: string, b: Buffer, where: string): { key: Buffer; start: number; end: number } {
  if (b.length < 2 * TIMESTAMP_BYTES) throw tooShort(store, 'session', b, 2 * TIMESTAMP_BYTES, where);
  const n = b.length - 2 * TIMESTAMP_BYTES;
  return { key: b.subarray(0, n), end: readTimestamp(b, n), start: readTimestamp(b, n + TIMESTAMP_BYTES) };
}
