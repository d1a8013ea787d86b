import * as fs from 'node:fs';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  H_ATTRIBUTES,
  H_BASE_OFFSET,
  H_LAST_DELTA,
  H_LENGTH,
  H_MAX_TIMESTAMP,
  H_PRODUCER_ID,
  recordSpans,
  validBatchLength,
  writeHeader,
} from './batch-codec.js';
import type { FlushScheduler } from './flush-scheduler.js';
import type { PartitionLog } from './partition-log.js';
import { Segment, writeFully } from './segment-file.js';

/**
 * Retention (cleanup.policy=delete): deletes whole closed segments, oldest first, whose largest
 * timestamp is older than retention.ms, then while the partition is larger than retention.bytes
 * by at least the oldest segment's size. The active segment is never deleted. The log start
 * offset becomes the base offset of the first remaining segment.
 */
export function applyRetention(log: PartitionLog, now: number, flusher: FlushScheduler): number {
  const { retentionMs, retentionBytes } = log.settings;
  if (!log.settings.delete) return 0;
  let deleted = 0;
  const segs = log.segments;
  while (retentionMs >= 0 && segs.length > 1 && segs[0].maxTimestamp < now - retentionMs) {
    deleteOldest(log, flusher);
    deleted++;
  }
  if (retentionBytes >= 0) {
    let total = 0;
    for (const s of segs) total += s.size;
    while (segs.length > 1 && total - segs[0].size >= retentionBytes) {
      total -= segs[0].size;
      deleteOldest(log, flusher);
      deleted++;
    }
  }
  if (deleted > 0) log.pruneAborted();
  return deleted;
}

function deleteOldest(log: PartitionLog, flusher: FlushScheduler): void {
  const seg = log.segments.shift()!;
  flusher.forget(seg);
  seg.close();
  fs.rmSync(seg.path, { force: true });
}

/**
 * Compaction (cleanup.policy=compact): over the closed segments that lie entirely below the last
 * stable offset and whose records are all older than min.compaction.lag.ms, keeps only the
 * latest record per key. Tombstones that are the latest for their key are removed once their
 * segment's largest timestamp is older than delete.retention.ms. Records of aborted transactions
 * are dropped. Offsets never change; reads skip the gaps. Each segment is rewritten to a
 * `.cleaned` file, fsynced and renamed over the original, so a crash leaves either version.
 */
export function applyCompaction(log: PartitionLog, now: number, flusher: FlushScheduler): number {
  if (!log.settings.compact) return 0;
  const lso = log.lastStableOffset;
  const eligible: Segment[] = [];
  for (let i = 0; i < log.segments.length - 1; i++) {
    const s = log.segments[i];
    if (s.nextOffset > lso || s.maxTimestamp > now - log.settings.minCompactionLagMs) break;
    eligible.push(s);
  }
  if (eligible.length === 0) return 0;
  const contents = eligible.map((s) => fs.readFileSync(s.path));
  const latest = new Map<string, number>();
  for (const buf of contents) {
    forEachDataBatch(log, buf, (pos, base) => {
      for (const r of recordSpans(buf, pos)) if (r.key !== null) latest.set(r.key.toString('latin1'), base + r.offsetDelta);
    });
  }
  let rewritten = 0;
  for (let i = 0; i < eligible.length; i++) {
    const seg = eligible[i];
    const dropTombstones = seg.maxTimestamp <= now - log.settings.deleteRetentionMs;
    const out = compactSegment(log, contents[i], latest, dropTombstones);
    if (out === null) continue;
    const tmp = `${seg.path}.cleaned`;
    const fd = fs.openSync(tmp, 'w');
    try {
      writeFully(fd, out, 0);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    flusher.forget(seg);
    seg.close();
    fs.renameSync(tmp, seg.path);
    flusher.syncDir(log.dir);
    const idx = log.segments.indexOf(seg);
    log.segments[idx] = Segment.open(seg.path, seg.baseOffset, false, log.where, () => undefined);
    rewritten++;
  }
  return rewritten;
}

function forEachDataBatch(log: PartitionLog, buf: Buffer, fn: (pos: number, base: number) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const len = buf.readUInt32LE(pos + H_LENGTH);
    const attrs = buf[pos + H_ATTRIBUTES];
    const aborted = (attrs & ATTR_TRANSACTIONAL) !== 0 && log.aborted.has(buf.readDoubleLE(pos + H_PRODUCER_ID));
    if ((attrs & ATTR_CONTROL) === 0 && !aborted) fn(pos, buf.readDoubleLE(pos + H_BASE_OFFSET));
    pos += len;
  }
}

/** The compacted segment bytes, or null when nothing would change. */
function compactSegment(log: PartitionLog, buf: Buffer, latest: Map<string, number>, dropTombstones: boolean): Buffer | null {
  const parts: Buffer[] = [];
  let changed = false;
  let pos = 0;
  while (pos < buf.length) {
    const len = validBatchLength(buf, pos, buf.length);
    if (len < 0) throw new Error(`segment of ${log.where} changed while compacting`);
    const attrs = buf[pos + H_ATTRIBUTES];
    const base = buf.readDoubleLE(pos + H_BASE_OFFSET);
    if ((attrs & ATTR_CONTROL) !== 0) {
      parts.push(buf.subarray(pos, pos + len));
    } else if ((attrs & ATTR_TRANSACTIONAL) !== 0 && log.aborted.has(buf.readDoubleLE(pos + H_PRODUCER_ID))) {
      changed = true;
    } else {
      const spans = recordSpans(buf, pos);
      const kept = spans.filter((r) => {
        if (r.key === null) return true;
        if (latest.get(r.key.toString('latin1')) !== base + r.offsetDelta) return false;
        return !(r.isTombstone && dropTombstones);
      });
      if (kept.length === spans.length) {
        parts.push(buf.subarray(pos, pos + len));
      } else {
        changed = true;
        if (kept.length > 0) parts.push(rebuildBatch(buf, pos, kept));
      }
    }
    pos += len;
  }
  return changed ? Buffer.concat(parts) : null;
}

function rebuildBatch(buf: Buffer, pos: number, kept: readonly { start: number; end: number }[]): Buffer {
  let size = BATCH_HEADER_SIZE;
  for (const r of kept) size += r.end - r.start;
  const out = Buffer.allocUnsafe(size);
  let p = BATCH_HEADER_SIZE;
  for (const r of kept) {
    buf.copy(out, p, r.start, r.end);
    p += r.end - r.start;
  }
  writeHeader(
    out,
    size,
    buf[pos + H_ATTRIBUTES],
    kept.length,
    buf.readUInt32LE(pos + H_LAST_DELTA),
    buf.readDoubleLE(pos + H_BASE_OFFSET),
    buf.readDoubleLE(pos + H_MAX_TIMESTAMP),
    buf.readDoubleLE(pos + H_PRODUCER_ID),
  );
  return out;
}
