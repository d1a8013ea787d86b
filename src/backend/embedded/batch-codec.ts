import { crc32 } from 'node:zlib';
import type { Header, ProducerRecord } from '../backend-types.js';

/**
 * Record-batch framing of the segment files (see FORMAT.md). All integers little-endian;
 * offsets, timestamps and producer ids are float64 (exact integers up to 2^53).
 */
export const BATCH_HEADER_SIZE = 44;
export const BATCH_MAGIC = 1;
export const ATTR_TRANSACTIONAL = 1;
export const ATTR_CONTROL = 2;

export const H_LENGTH = 0;
export const H_CRC = 4;
export const H_MAGIC = 8;
export const H_ATTRIBUTES = 9;
export const H_COUNT = 12;
export const H_LAST_DELTA = 16;
export const H_BASE_OFFSET = 20;
export const H_MAX_TIMESTAMP = 28;
export const H_PRODUCER_ID = 36;

/** Fixed bytes per record besides key, value and headers. */
const RECORD_OVERHEAD = 22;

export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;

/** Columns a fetch decodes into (one entry per record). */
export interface FetchColumns {
  readonly offsets: number[];
  readonly timestamps: number[];
  readonly keys: (Buffer | null)[];
  readonly values: (Buffer | null)[];
  readonly headers: (Header[] | undefined)[];
}

export function newColumns(): FetchColumns {
  return { offsets: [], timestamps: [], keys: [], values: [], headers: [] };
}

function recordSize(r: ProducerRecord): number {
  let n = RECORD_OVERHEAD + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
  const hs = r.headers;
  if (hs !== undefined) {
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      n += 6 + Buffer.byteLength(h.key, 'utf8') + (h.value === null ? 0 : h.value.length);
    }
  }
  return n;
}

/**
 * Encodes records[indices[0..count)] as one batch with consecutive offsets from baseOffset.
 * One Buffer per call; no per-record allocation besides what Buffer.write needs.
 */
export function encodeBatch(
  records: readonly ProducerRecord[],
  indices: ArrayLike<number>,
  count: number,
  baseOffset: number,
  attributes: number,
  producerId: number,
): Buffer {
  let size = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) size += recordSize(records[indices[i]]);
  const buf = Buffer.allocUnsafe(size);
  let pos = BATCH_HEADER_SIZE;
  let maxTs = -Infinity;
  for (let i = 0; i < count; i++) {
    const r = records[indices[i]];
    const ts = r.timestamp;
    if (ts > maxTs) maxTs = ts;
    buf.writeUInt32LE(i, pos);
    buf.writeDoubleLE(ts, pos + 4);
    pos += 12;
    const k = r.key;
    if (k === null) {
      buf.writeInt32LE(-1, pos);
      pos += 4;
    } else {
      buf.writeInt32LE(k.length, pos);
      buf.set(k, pos + 4);
      pos += 4 + k.length;
    }
    const v = r.value;
    if (v === null) {
      buf.writeInt32LE(-1, pos);
      pos += 4;
    } else {
      buf.writeInt32LE(v.length, pos);
      buf.set(v, pos + 4);
      pos += 4 + v.length;
    }
    const hs = r.headers;
    const hc = hs === undefined ? 0 : hs.length;
    buf.writeUInt16LE(hc, pos);
    pos += 2;
    for (let j = 0; j < hc; j++) {
      const h = hs![j];
      const kl = buf.write(h.key, pos + 2, 'utf8');
      buf.writeUInt16LE(kl, pos);
      pos += 2 + kl;
      if (h.value === null) {
        buf.writeInt32LE(-1, pos);
        pos += 4;
      } else {
        buf.writeInt32LE(h.value.length, pos);
        buf.set(h.value, pos + 4);
        pos += 4 + h.value.length;
      }
    }
  }
  writeHeader(buf, size, attributes, count, count - 1, baseOffset, maxTs, producerId);
  return buf;
}

/** Writes the batch header and checksum of a fully written batch body. */
export function writeHeader(
  buf: Buffer,
  size: number,
  attributes: number,
  count: number,
  lastDelta: number,
  baseOffset: number,
  maxTimestamp: number,
  producerId: number,
): void {
  buf.writeUInt32LE(size, H_LENGTH);
  buf.writeUInt8(BATCH_MAGIC, H_MAGIC);
  buf.writeUInt8(attributes, H_ATTRIBUTES);
  buf.writeUInt16LE(0, H_ATTRIBUTES + 1);
  buf.writeUInt32LE(count, H_COUNT);
  buf.writeUInt32LE(lastDelta, H_LAST_DELTA);
  buf.writeDoubleLE(baseOffset, H_BASE_OFFSET);
  buf.writeDoubleLE(maxTimestamp, H_MAX_TIMESTAMP);
  buf.writeDoubleLE(producerId, H_PRODUCER_ID);
  buf.writeUInt32LE(crc32(buf.subarray(H_MAGIC, size)), H_CRC);
}

/** A control batch (transaction marker) with one record whose value byte says commit or abort. */
export function encodeControlBatch(baseOffset: number, producerId: number, commit: boolean, timestamp: number): Buffer {
  const size = BATCH_HEADER_SIZE + RECORD_OVERHEAD + 1;
  const buf = Buffer.alloc(size);
  let pos = BATCH_HEADER_SIZE;
  buf.writeUInt32LE(0, pos);
  buf.writeDoubleLE(timestamp, pos + 4);
  buf.writeInt32LE(-1, pos + 12);
  buf.writeInt32LE(1, pos + 16);
  buf.writeUInt8(commit ? CONTROL_COMMIT : CONTROL_ABORT, pos + 20);
  pos += 21;
  buf.writeUInt16LE(0, pos);
  writeHeader(buf, size, ATTR_CONTROL | ATTR_TRANSACTIONAL, 1, 0, baseOffset, timestamp, producerId);
  return buf;
}

/** The commit/abort byte of a control batch starting at pos. */
export function controlType(buf: Buffer, pos: number): number {
  return buf[pos + BATCH_HEADER_SIZE + 20];
}

/**
 * Length of the valid batch at pos, or -1 when the bytes there are not a complete batch with a
 * matching checksum (a torn or corrupt write).
 */
export function validBatchLength(buf: Buffer, pos: number, end: number): number {
  if (end - pos < BATCH_HEADER_SIZE) return -1;
  const len = buf.readUInt32LE(pos + H_LENGTH);
  if (len < BATCH_HEADER_SIZE || pos + len > end) return -1;
  if (buf[pos + H_MAGIC] !== BATCH_MAGIC) return -1;
  if (crc32(buf.subarray(pos + H_MAGIC, pos + len)) !== buf.readUInt32LE(pos + H_CRC)) return -1;
  return len;
}

/**
 * Decodes the records of the batch at pos with offset in [from, upTo) into cols, at most
 * `max` of them. Keys, values and header values are subarrays of buf. Returns how many were added.
 */
export function decodeBatchInto(buf: Buffer, pos: number, from: number, upTo: number, max: number, cols: FetchColumns): number {
  const count = buf.readUInt32LE(pos + H_COUNT);
  const base = buf.readDoubleLE(pos + H_BASE_OFFSET);
  let p = pos + BATCH_HEADER_SIZE;
  let added = 0;
  for (let i = 0; i < count && added < max; i++) {
    const offset = base + buf.readUInt32LE(p);
    if (offset >= upTo) break;
    const ts = buf.readDoubleLE(p + 4);
    p += 12;
    const kl = buf.readInt32LE(p);
    p += 4;
    const key = kl < 0 ? null : buf.subarray(p, p + kl);
    if (kl > 0) p += kl;
    const vl = buf.readInt32LE(p);
    p += 4;
    const value = vl < 0 ? null : buf.subarray(p, p + vl);
    if (vl > 0) p += vl;
    const hc = buf.readUInt16LE(p);
    p += 2;
    let headers: Header[] | undefined;
    if (hc > 0) {
      headers = new Array<Header>(hc);
      for (let j = 0; j < hc; j++) {
        const hkl = buf.readUInt16LE(p);
        const hkey = buf.toString('utf8', p + 2, p + 2 + hkl);
        p += 2 + hkl;
        const hvl = buf.readInt32LE(p);
        p += 4;
        headers[j] = { key: hkey, value: hvl < 0 ? null : buf.subarray(p, p + hvl) };
        if (hvl > 0) p += hvl;
      }
    }
    if (offset < from) continue;
    cols.offsets.push(offset);
    cols.timestamps.push(ts);
    cols.keys.push(key);
    cols.values.push(value);
    cols.headers.push(headers);
    added++;
  }
  return added;
}

/** Byte span and identity of one record inside a batch (used by the compactor, not the hot path). */
export interface RecordSpan {
  readonly offsetDelta: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly isTombstone: boolean;
  readonly start: number;
  readonly end: number;
}

export function recordSpans(buf: Buffer, pos: number): RecordSpan[] {
  const count = buf.readUInt32LE(pos + H_COUNT);
  const out: RecordSpan[] = [];
  let p = pos + BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const start = p;
    const offsetDelta = buf.readUInt32LE(p);
    const timestamp = buf.readDoubleLE(p + 4);
    p += 12;
    const kl = buf.readInt32LE(p);
    const key = kl < 0 ? null : buf.subarray(p + 4, p + 4 + kl);
    p += 4 + Math.max(kl, 0);
    const vl = buf.readInt32LE(p);
    p += 4 + Math.max(vl, 0);
    const hc = buf.readUInt16LE(p);
    p += 2;
    for (let j = 0; j < hc; j++) {
      p += 2 + buf.readUInt16LE(p);
      p += 4 + Math.max(buf.readInt32LE(p), 0);
    }
    out.push({ offsetDelta, timestamp, key, isTombstone: vl < 0, start, end: p });
  }
  return out;
}
