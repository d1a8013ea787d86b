/**
 * Map ids of serialized key-value store keys.
 *
 * - keyIdOf(): the bytes as a latin1 string, the same string as key-codec's bytesId() (the cache's
 *   id for keys that are not primitives, and what interactive queries sort by), built without a
 *   native call for the 4- and 8-byte keys of the Integer and Long serdes.
 * - engineKeyId(): the engines' id. Keys of the Long serde holding 0 .. 2^30-1 (8 bytes, the
 *   first four and the top two bits of the fifth zero) become that number, and Integer-serde keys
 *   holding 0 .. 2^30-1 (4 bytes) become -1 - that number: small integers, which a Map hashes and
 *   compares without reading another object, as a Map of latin1 strings must. Every other key is
 *   its latin1 string. The mapping is one-to-one, so engineKeyBytes() gives the bytes back.
 */
import type { Serde } from '../graph/serde-types.js';
import { Serdes } from '../serde/serdes.js';

export type EngineKeyId = string | number;

/** Which built-in serde a store's keys use, when it is one whose small keys numberKeyId() knows. */
export const SmallIds = { None: 0, Long: 1, Int: 2 } as const;
export type SmallIdKind = (typeof SmallIds)[keyof typeof SmallIds];

const SMALL_LIMIT = 0x40000000; // 2^30

const SMALL = 0x40; // a leading byte below this keeps a 32-bit big-endian value below 2^30

export function keyIdOf(b: Buffer): string {
  switch (b.length) {
    case 8:
      return String.fromCharCode(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    case 4:
      return String.fromCharCode(b[0], b[1], b[2], b[3]);
    default:
      return b.toString('latin1');
  }
}

/** Whether engineKeyId(b) is a small integer (a Long or Integer key holding 0 .. 2^30-1). */
export function hasSmallIntId(b: Buffer): boolean {
  const n = b.length;
  return n === 8 ? b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0 && b[4] < SMALL : n === 4 && b[0] < SMALL;
}

export function engineKeyId(b: Buffer): EngineKeyId {
  if (!hasSmallIntId(b)) return keyIdOf(b);
  return b.length === 8 ? (b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7] : -1 - ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
}

export function smallIdKindOf(serde: Serde<unknown>): SmallIdKind {
  return serde === Serdes.Long() ? SmallIds.Long : serde === Serdes.Int() ? SmallIds.Int : SmallIds.None;
}

/**
 * engineKeyId(serde.serialize(key)) without the bytes, for a whole number 0 .. 2^30-1 under the
 * built-in Long or Int serde (which writes any such number); undefined for every other key, whose
 * id (and whether the serde accepts it) needs the bytes.
 */
export function numberKeyId(kind: SmallIdKind, key: unknown): number | undefined {
  if (kind === SmallIds.None || typeof key !== 'number' || (key | 0) !== key || key < 0 || key >= SMALL_LIMIT) return undefined;
  return kind === SmallIds.Long ? key | 0 : -1 - (key | 0);
}

/** The bytes the Long or Int serde writes for a key numberKeyId() knows, written here (the
 * serde's range checks and byte writers cost more than the bytes); undefined for other keys. */
export function numberKeyBytes(kind: SmallIdKind, key: unknown): Buffer | undefined {
  const id = numberKeyId(kind, key);
  if (id === undefined) return undefined;
  const n = kind === SmallIds.Long ? id : -1 - id;
  const b = Buffer.allocUnsafe(kind === SmallIds.Long ? 8 : 4);
  let at = 0;
  if (kind === SmallIds.Long) {
    b[0] = b[1] = b[2] = b[3] = 0;
    at = 4;
  }
  b[at] = n >>> 24;
  b[at + 1] = (n >>> 16) & 255;
  b[at + 2] = (n >>> 8) & 255;
  b[at + 3] = n & 255;
  return b;
}

/** The key bytes of an engine id (inverse of engineKeyId). */
/**
 * The window store key (the key's bytes, then the window start as an 8-byte big-endian long) of
 * a key numberKeyId() knows, in one allocation: what windowKeyBytes(serde.serialize(key), start)
 * gives, without the serde call and the intermediate key Buffer. Undefined for other keys.
 */
export function numberWindowKeyBytes(kind: SmallIdKind, key: unknown, start: number): Buffer | undefined {
  const id = numberKeyId(kind, key);
  if (id === undefined) return undefined;
  const long = kind === SmallIds.Long;
  const n = long ? id : -1 - id;
  const at = long ? 4 : 0;
  const b = Buffer.allocUnsafe(at + 12);
  if (long) b[0] = b[1] = b[2] = b[3] = 0;
  b[at] = n >>> 24;
  b[at + 1] = (n >>> 16) & 255;
  b[at + 2] = (n >>> 8) & 255;
  b[at + 3] = n & 255;
  const hi = Math.floor(start / 4294967296);
  b.writeInt32BE(hi, at + 4);
  b.writeUInt32BE(start - hi * 4294967296, at + 8);
  return b;
}

export function engineKeyBytes(id: EngineKeyId): Buffer {
  if (typeof id === 'string') return Buffer.from(id, 'latin1');
  if (id >= 0) {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(id, 4);
    return b;
  }
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(-1 - id, 0);
  return b;
}
