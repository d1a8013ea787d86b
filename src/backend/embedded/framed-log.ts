import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import type { FlushScheduler, Syncable } from './flush-scheduler.js';
import { readFully, writeFully } from './segment-file.js';

const FRAME_HEADER = 8;

/**
 * A small append-only file of checksummed JSON entries ([u32 length][u32 crc32][payload]), used
 * for committed offsets and the transaction log. A torn tail is cut off on open.
 */
export class FramedLog implements Syncable {
  readonly path: string;
  private fd: number;
  private size: number;
  private readonly flusher: FlushScheduler;

  private constructor(path: string, fd: number, size: number, flusher: FlushScheduler) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.flusher = flusher;
  }

  /** Opens (creating if needed) and returns the log with its intact entries. */
  static open<T>(path: string, flusher: FlushScheduler): { log: FramedLog; entries: T[] } {
    const fd = fs.openSync(path, fs.existsSync(path) ? 'r+' : 'w+');
    const fileSize = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(fileSize);
    if (fileSize > 0) readFully(fd, buf, 0);
    const entries: T[] = [];
    let pos = 0;
    while (pos + FRAME_HEADER <= fileSize) {
      const len = buf.readUInt32LE(pos);
      if (pos + FRAME_HEADER + len > fileSize) break;
      const payload = buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len);
      if (crc32(payload) !== buf.readUInt32LE(pos + 4)) break;
      let entry: T;
      try {
        entry = JSON.parse(payload.toString('utf8')) as T;
      } catch {
        break;
      }
      entries.push(entry);
      pos += FRAME_HEADER + len;
    }
    if (pos < fileSize) fs.ftruncateSync(fd, pos);
    return { log: new FramedLog(path, fd, pos, flusher), entries };
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends one entry; it is in the OS page cache when this returns. */
  append(entry: unknown): void {
    const frame = encodeFrame(entry);
    writeFully(this.fd, frame, this.size);
    this.size += frame.length;
    this.flusher.markDirty(this);
  }

  /** Atomically replaces the contents with `entries` (write temp file, fsync, rename). */
  rewrite(entries: readonly unknown[]): void {
    const tmp = `${this.path}.tmp`;
    const body = Buffer.concat(entries.map(encodeFrame));
    const fd = fs.openSync(tmp, 'w');
    try {
      writeFully(fd, body, 0);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.flusher.forget(this);
    fs.closeSync(this.fd);
    fs.renameSync(tmp, this.path);
    this.fd = fs.openSync(this.path, 'r+');
    this.size = body.length;
  }

  sync(): void {
    if (this.fd >= 0) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    this.flusher.forget(this);
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function encodeFrame(entry: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(entry), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}
