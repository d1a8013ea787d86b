import * as fs from 'node:fs';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BATCH_HEADER_SIZE, H_BASE_OFFSET, H_LAST_DELTA, H_LENGTH, H_MAX_TIMESTAMP, validBatchLength } from './batch-codec.js';

/** Bytes of log between two sparse-index entries (Kafka's index.interval.bytes). */
const INDEX_INTERVAL_BYTES = 4096;
const SCAN_CHUNK = 4 * 1024 * 1024;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

/** Called for each valid batch found while opening a segment. */
export type BatchVisitor = (buf: Buffer, pos: number, len: number) => void;

/**
 * One segment file: batches with offsets >= baseOffset, an in-memory sparse index
 * (batch base offset -> file position) rebuilt on open, and the facts retention needs.
 */
export class Segment {
  readonly baseOffset: number;
  readonly path: string;
  fd: number;
  size = 0;
  nextOffset: number;
  maxTimestamp = -Infinity;
  private readonly idxOffsets: number[] = [];
  private readonly idxPositions: number[] = [];
  private bytesSinceIndex = 0;
  /** Background fdatasyncs running on this file's descriptor. */
  private syncsRunning = 0;
  /** Descriptor whose close waits for those fdatasyncs (so its number is not reused meanwhile). */
  private closeAfterSync = -1;

  private constructor(path: string, baseOffset: number, fd: number) {
    this.path = path;
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.fd = fd;
  }

  static create(path: string, baseOffset: number): Segment {
    return new Segment(path, baseOffset, fs.openSync(path, 'w+'));
  }

  /**
   * Opens an existing segment, validating every batch. A torn or corrupt tail is cut off when
   * `isLast` (a crash mid-write); anywhere else it is LOG_CORRUPT.
   */
  static open(path: string, baseOffset: number, isLast: boolean, where: string, visit: BatchVisitor): Segment {
    const seg = new Segment(path, baseOffset, fs.openSync(path, 'r+'));
    const fileSize = fs.fstatSync(seg.fd).size;
    let chunk = Buffer.alloc(0);
    let chunkStart = 0;
    const refill = (at: number, want: number): void => {
      const n = Math.min(Math.max(want, SCAN_CHUNK), fileSize - at);
      chunk = Buffer.allocUnsafe(n);
      readFully(seg.fd, chunk, at);
      chunkStart = at;
    };
    let pos = 0;
    while (pos < fileSize) {
      if (pos + BATCH_HEADER_SIZE > chunkStart + chunk.length) refill(pos, BATCH_HEADER_SIZE);
      let rel = pos - chunkStart;
      let len = chunk.length - rel >= BATCH_HEADER_SIZE ? chunk.readUInt32LE(rel + H_LENGTH) : -1;
      if (len > 0 && pos + len <= fileSize && pos + len > chunkStart + chunk.length) {
        refill(pos, len);
        rel = 0;
      }
      len = validBatchLength(chunk, rel, chunk.length);
      const base = len < 0 ? -1 : chunk.readDoubleLE(rel + H_BASE_OFFSET);
      if (len < 0 || base < seg.nextOffset) {
        if (!isLast) {
          throw new StreamwrightError(
            'LOG_CORRUPT',
            `Corrupt record batch in ${where} at byte ${pos} of closed segment ${path} (after offset ${seg.nextOffset - 1}). ` +
              `This is not a torn tail from a crash; restore the data directory from a backup, or delete this segment and the ones after it to keep the earlier records.`,
            { path, position: pos, offset: seg.nextOffset },
          );
        }
        fs.ftruncateSync(seg.fd, pos);
        break;
      }
      visit(chunk, rel, len);
      seg.noteBatch(pos, len, base, base + chunk.readUInt32LE(rel + H_LAST_DELTA) + 1, chunk.readDoubleLE(rel + H_MAX_TIMESTAMP));
      pos += len;
    }
    seg.size = pos;
    return seg;
  }

  private noteBatch(pos: number, len: number, base: number, next: number, maxTs: number): void {
    if (this.idxOffsets.length === 0 || this.bytesSinceIndex >= INDEX_INTERVAL_BYTES) {
      this.idxOffsets.push(base);
      this.idxPositions.push(pos);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += len;
    this.nextOffset = next;
    if (maxTs > this.maxTimestamp) this.maxTimestamp = maxTs;
  }

  /** Appends one encoded batch (written to the OS before returning). */
  append(buf: Buffer, baseOffset: number, nextOffset: number, maxTimestamp: number): void {
    const pos = this.size;
    writeFully(this.fd, buf, pos);
    this.size = pos + buf.length;
    this.noteBatch(pos, buf.length, baseOffset, nextOffset, maxTimestamp);
  }

  /** File position of the last indexed batch starting at or before `offset`. */
  lookup(offset: number): number {
    const offs = this.idxOffsets;
    let lo = 0;
    let hi = offs.length - 1;
    if (hi < 0 || offs[0] > offset) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offs[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.idxPositions[lo];
  }

  read(pos: number, len: number): Buffer {
    const n = Math.min(len, this.size - pos);
    const buf = Buffer.allocUnsafe(Math.max(n, 0));
    if (n > 0) readFully(this.fd, buf, pos);
    return buf;
  }

  sync(): void {
    if (this.fd >= 0) fs.fdatasyncSync(this.fd);
  }

  /**
   * fdatasync on libuv's thread pool. Until it finishes, close() keeps the descriptor open: the
   * fsync then always applies to this segment's file, even if the segment is closed, deleted
   * (an unlinked inode lives while a descriptor holds it) or replaced by a rename meanwhile,
   * and the descriptor number cannot be reused by another file under it.
   */
  syncAsync(done: (err: Error | null) => void): void {
    if (this.fd < 0) {
      done(null); // closed: close() no longer syncs, the caller forgot the file first
      return;
    }
    this.syncsRunning++;
    fs.fdatasync(this.fd, (err) => {
      this.syncsRunning--;
      if (this.syncsRunning === 0 && this.closeAfterSync >= 0) {
        const fd = this.closeAfterSync;
        this.closeAfterSync = -1;
        fs.closeSync(fd);
      }
      done(err);
    });
  }

  close(): void {
    if (this.fd >= 0) {
      if (this.syncsRunning > 0) this.closeAfterSync = this.fd;
      else fs.closeSync(this.fd);
    }
    this.fd = -1;
  }
}

export function writeFully(fd: number, buf: Buffer, position: number): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, position + off);
}

export function readFully(fd: number, buf: Buffer, position: number): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, position + off);
    if (n === 0) throw new Error(`unexpected end of file at ${position + off}`);
    off += n;
  }
}
