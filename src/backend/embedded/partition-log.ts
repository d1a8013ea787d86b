import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProducerRecord } from '../backend-types.js';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  CONTROL_COMMIT,
  H_ATTRIBUTES,
  H_BASE_OFFSET,
  H_LAST_DELTA,
  H_PRODUCER_ID,
  controlType,
  decodeBatchInto,
  encodeBatch,
  encodeControlBatch,
  type FetchColumns,
} from './batch-codec.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { Segment, segmentFileName } from './segment-file.js';
import type { TopicSettings } from './topic-config.js';

const MAX_FETCH_BYTES = 1024 * 1024;
const MIN_READ_BYTES = 4096;

/**
 * One partition: an ordered list of segments (the last is active), plus the transaction state
 * rebuilt from the log on open: open transactions (producer id -> first offset, which gives the
 * last stable offset) and aborted ones (whose records every reader skips).
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  settings: TopicSettings;
  readonly segments: Segment[] = [];
  /** Open transactions in this partition: producer id -> first offset (insertion = offset order). */
  readonly openTxns = new Map<number, number>();
  /** Aborted transactions: producer id -> offset of the abort marker. */
  readonly aborted = new Map<number, number>();
  maxProducerId = -1;
  /** Set when the topic is deleted or the backend closes. */
  closed = false;
  private readonly flusher: FlushScheduler;
  private bytesPerRecord = 128;

  private constructor(topic: string, partition: number, dir: string, settings: TopicSettings, flusher: FlushScheduler) {
    this.topic = topic;
    this.partition = partition;
    this.dir = dir;
    this.settings = settings;
    this.flusher = flusher;
  }

  get where(): string {
    return `topic "${this.topic}" partition ${this.partition}`;
  }

  static open(topic: string, partition: number, dir: string, settings: TopicSettings, flusher: FlushScheduler): PartitionLog {
    const log = new PartitionLog(topic, partition, dir, settings, flusher);
    fs.mkdirSync(dir, { recursive: true });
    const bases: number[] = [];
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.log') && /^\d{20}\.log$/.test(name)) bases.push(Number(name.slice(0, 20)));
      else if (name.endsWith('.cleaned') || name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
    }
    bases.sort((a, b) => a - b);
    const visit = (buf: Buffer, pos: number): void => log.trackBatch(buf, pos);
    for (let i = 0; i < bases.length; i++) {
      const p = path.join(dir, segmentFileName(bases[i]));
      log.segments.push(Segment.open(p, bases[i], i === bases.length - 1, log.where, visit));
    }
    if (log.segments.length === 0) {
      log.segments.push(Segment.create(path.join(dir, segmentFileName(0)), 0));
      flusher.syncDir(dir);
    }
    return log;
  }

  /** Updates transaction state for a batch (on open and on append). */
  private trackBatch(buf: Buffer, pos: number): void {
    const attrs = buf[pos + H_ATTRIBUTES];
    if ((attrs & ATTR_TRANSACTIONAL) === 0) return;
    const pid = buf.readDoubleLE(pos + H_PRODUCER_ID);
    if (pid > this.maxProducerId) this.maxProducerId = pid;
    const base = buf.readDoubleLE(pos + H_BASE_OFFSET);
    if ((attrs & ATTR_CONTROL) !== 0) {
      this.openTxns.delete(pid);
      if (controlType(buf, pos) !== CONTROL_COMMIT) this.aborted.set(pid, base);
    } else if (!this.openTxns.has(pid)) {
      this.openTxns.set(pid, base);
    }
  }

  get logStartOffset(): number {
    return this.segments[0].baseOffset;
  }

  get endOffset(): number {
    return this.segments[this.segments.length - 1].nextOffset;
  }

  /** First offset of the oldest open transaction, else the end offset. */
  get lastStableOffset(): number {
    for (const first of this.openTxns.values()) return first;
    return this.endOffset;
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends records[indices[0..count)] as one batch; returns the base offset. `producerId` >= 0
   * marks the batch transactional.
   */
  appendRecords(records: readonly ProducerRecord[], indices: ArrayLike<number>, count: number, producerId: number): number {
    const base = this.endOffset;
    const buf = encodeBatch(records, indices, count, base, producerId >= 0 ? ATTR_TRANSACTIONAL : 0, producerId);
    this.bytesPerRecord = (this.bytesPerRecord * 3 + buf.length / count) / 4;
    this.appendBuffer(buf, base, base + count);
    return base;
  }

  /** Writes a commit or abort marker for producerId's transaction. */
  appendControl(producerId: number, commit: boolean, timestamp: number): void {
    const base = this.endOffset;
    this.appendBuffer(encodeControlBatch(base, producerId, commit, timestamp), base, base + 1);
  }

  private appendBuffer(buf: Buffer, base: number, next: number): void {
    let seg = this.active;
    if (seg.size > 0 && seg.size + buf.length > this.settings.segmentBytes) seg = this.roll();
    seg.append(buf, base, next, buf.readDoubleLE(28));
    this.trackBatch(buf, 0);
    this.flusher.markDirty(seg);
  }

  /** Closes the active segment and starts a new one at the end offset. */
  roll(): Segment {
    const old = this.active;
    if (this.flusher.policy !== 'never') {
      this.flusher.forget(old);
      old.sync();
    }
    const seg = Segment.create(path.join(this.dir, segmentFileName(old.nextOffset)), old.nextOffset);
    this.segments.push(seg);
    this.flusher.syncDir(this.dir);
    return seg;
  }

  private segmentIndexFor(offset: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Decodes up to `max` visible records with offset in [from, upTo) into cols. Control batches and
   * aborted transactions are skipped. Returns the offset to continue from.
   */
  read(from: number, max: number, upTo: number, cols: FetchColumns): number {
    let next = from;
    let added = 0;
    let budget = MAX_FETCH_BYTES;
    const segs = this.segments;
    let si = this.segmentIndexFor(next);
    while (added < max && next < upTo && si < segs.length && budget > 0) {
      const seg = segs[si];
      if (next >= seg.nextOffset) {
        si++;
        continue;
      }
      let pos = seg.lookup(next);
      while (pos < seg.size && added < max && next < upTo && budget > 0) {
        const want = Math.min(budget, Math.max(MIN_READ_BYTES, Math.ceil((max - added + 1) * this.bytesPerRecord * 1.25) + BATCH_HEADER_SIZE));
        let buf = seg.read(pos, want);
        if (buf.length >= 4 && buf.readUInt32LE(0) > buf.length) buf = seg.read(pos, buf.readUInt32LE(0));
        budget -= buf.length;
        let rel = 0;
        while (added < max && buf.length - rel >= BATCH_HEADER_SIZE) {
          const len = buf.readUInt32LE(rel);
          if (rel + len > buf.length) break;
          const base = buf.readDoubleLE(rel + H_BASE_OFFSET);
          if (base >= upTo) return next;
          const last = base + buf.readUInt32LE(rel + H_LAST_DELTA);
          if (last >= next) {
            const attrs = buf[rel + H_ATTRIBUTES];
            const skip =
              (attrs & ATTR_CONTROL) !== 0 ||
              ((attrs & ATTR_TRANSACTIONAL) !== 0 && this.aborted.has(buf.readDoubleLE(rel + H_PRODUCER_ID)));
            if (skip) {
              next = last + 1;
            } else {
              const n = decodeBatchInto(buf, rel, next, upTo, max - added, cols);
              added += n;
              if (added >= max || last >= upTo) {
                if (n > 0) next = cols.offsets[cols.offsets.length - 1] + 1;
                return next;
              }
              next = last + 1;
            }
          }
          rel += len;
        }
        pos += rel;
      }
      if (pos < seg.size) break; // stopped inside this segment
      // Segment exhausted: offsets up to its end (and any compacted-away tail) are consumed.
      if (next < seg.nextOffset) next = seg.nextOffset;
      si++;
    }
    return next;
  }

  /** Drops aborted-transaction entries below the log start (their records are gone). */
  pruneAborted(): void {
    const start = this.logStartOffset;
    for (const [pid, markerOffset] of this.aborted) if (markerOffset < start) this.aborted.delete(pid);
  }

  syncAll(): void {
    for (const s of this.segments) {
      this.flusher.forget(s);
      s.sync();
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.segments) {
      this.flusher.forget(s);
      s.close();
    }
  }
}
