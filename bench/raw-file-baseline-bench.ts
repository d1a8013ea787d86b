import * as fs from 'node:fs';
import * as path from 'node:path';
import { secondsSince } from './bench-stats.js';

/**
 * Baseline for benchmark (b): the same 100-byte records (10-byte key + 90-byte value) written
 * with plain fs.writeSync, 1000 records copied into one chunk per write, no framing, no checksum,
 * no fsync; then read back with fs.readSync in 1 MB chunks, one Buffer view per key and value.
 * This is roughly the ceiling for an append-only log in one Node process on this disk.
 */
export interface RawFileResult {
  readonly writeRecordsPerSec: number;
  readonly readRecordsPerSec: number;
}

export function benchRawFile(opts: { records: number; dir: string; batchSize?: number }): RawFileResult {
  const batchSize = opts.batchSize ?? 1000;
  const records = Math.ceil(opts.records / batchSize) * batchSize;
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < batchSize; i++) {
    keys.push(Buffer.from(String(i).padStart(10, '0')));
    values.push(Buffer.alloc(90, 97 + (i % 26)));
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const file = path.join(opts.dir, 'raw-baseline.log');
  const fd = fs.openSync(file, 'w');
  const t0 = process.hrtime.bigint();
  try {
    for (let done = 0; done < records; done += batchSize) {
      const chunk = Buffer.allocUnsafe(batchSize * 100);
      for (let i = 0; i < batchSize; i++) {
        keys[i].copy(chunk, i * 100);
        values[i].copy(chunk, i * 100 + 10);
      }
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  const writeSecs = secondsSince(t0);

  const rfd = fs.openSync(file, 'r');
  const chunkBytes = 100 * 10_000;
  let read = 0;
  let checksum = 0;
  const t1 = process.hrtime.bigint();
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const n = fs.readSync(rfd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      for (let pos = 0; pos + 100 <= n; pos += 100) {
        const k = chunk.subarray(pos, pos + 10);
        const v = chunk.subarray(pos + 10, pos + 100);
        checksum += k.length + v.length;
        read++;
      }
    }
  } finally {
    fs.closeSync(rfd);
  }
  const readSecs = secondsSince(t1);
  fs.rmSync(file, { force: true });
  if (read !== records || checksum !== records * 100) throw new Error(`raw baseline read ${read} of ${records} records`);
  return { writeRecordsPerSec: Math.round(records / writeSecs), readRecordsPerSec: Math.round(records / readSecs) };
}

/** Median time (ms) of fdatasync after writing `mb` MB to a fresh file, over `runs` tries. */
export function measureFdatasync(opts: { dir: string; mb?: number; runs?: number }): number {
  const mb = opts.mb ?? 10;
  const chunk = Buffer.alloc(1 << 20, 7);
  const times: number[] = [];
  fs.mkdirSync(opts.dir, { recursive: true });
  const file = path.join(opts.dir, 'fsync-probe.bin');
  for (let r = 0; r < (opts.runs ?? 3); r++) {
    const fd = fs.openSync(file, 'w');
    try {
      for (let i = 0; i < mb; i++) fs.writeSync(fd, chunk);
      const t0 = process.hrtime.bigint();
      fs.fdatasyncSync(fd);
      times.push(secondsSince(t0) * 1000);
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.rmSync(file, { force: true });
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}
