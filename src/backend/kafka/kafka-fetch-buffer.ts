import type { Batch, EachBatchPayload } from 'kafkajs';
import type { FetchBatch, TopicPartition } from '../backend-types.js';
import { appendColumns, type ColumnBatch } from './kafka-record-mapper.js';

/** One kafkajs batch handed over by eachBatch, waiting for poll() to take its records. */
export interface PendingBatch {
  readonly key: string;
  readonly batch: Batch;
  /** Index of the next message to deliver. */
  next: number;
  /** Tells kafkajs where to fetch from next (offset of the last delivered record). */
  readonly resolveOffset: (offset: string) => void;
  /** Ends the eachBatch call that is waiting on this batch. */
  readonly release: () => void;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Bounded hand-over between kafkajs's push (eachBatch) and our poll(): at most one pending batch per
 * partition, and each eachBatch call stays blocked until poll() has taken all its records, so memory
 * is bounded by kafkajs's fetch size. Records move column-wise, one pass, no per-record closures.
 */
export class FetchBuffer {
  private readonly pending = new Map<string, PendingBatch>();
  /** Rotates the partition served first so one busy partition cannot starve the others. */
  private cursor = 0;

  get size(): number {
    return this.pending.size;
  }

  add(p: PendingBatch): void {
    const prev = this.pending.get(p.key);
    if (prev !== undefined) prev.release();
    this.pending.set(p.key, p);
  }

  /** Takes up to `maxRecords` records across partitions not in `paused`. */
  take(maxRecords: number, paused: ReadonlySet<string>): FetchBatch[] {
    const out: FetchBatch[] = [];
    if (this.pending.size === 0 || maxRecords <= 0) return out;
    const entries = [...this.pending.values()];
    const start = this.cursor++ % entries.length;
    let budget = maxRecords;
    for (let j = 0; j < entries.length && budget > 0; j++) {
      const p = entries[(start + j) % entries.length];
      if (paused.has(p.key)) continue;
      const msgs = p.batch.messages;
      const to = Math.min(msgs.length, p.next + budget);
      if (to <= p.next) continue;
      const cols: ColumnBatch = { offsets: [], timestamps: [], keys: [], values: [], headers: [] };
      appendColumns(cols, msgs, p.next, to);
      budget -= to - p.next;
      p.next = to;
      p.resolveOffset(msgs[to - 1].offset);
      out.push({
        topic: p.batch.topic,
        partition: p.batch.partition,
        size: cols.offsets.length,
        offsets: cols.offsets,
        timestamps: cols.timestamps,
        keys: cols.keys,
        values: cols.values,
        headers: cols.headers,
        highWatermark: Number(p.batch.highWatermark),
      });
      if (to === msgs.length) {
        this.pending.delete(p.key);
        p.release();
      }
    }
    return out;
  }

  /** Forgets the undelivered records of one partition (seek, pause, revoke) and frees its eachBatch. */
  drop(tp: TopicPartition): void {
    const key = tpKey(tp.topic, tp.partition);
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    p.release();
  }

  dropAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.release();
  }
}

/**
 * The body of kafkajs's eachBatch: parks `payload.batch` in `buffer` and waits, heartbeating every
 * half heartbeat interval, until poll() has taken all its records (or the consumer stops, or the
 * batch is dropped by seek / pause / revoke). A failed heartbeat (a rebalance) drops the batch and
 * rethrows, so kafkajs rejoins and our join hook delivers onPartitionsRevoked first.
 */
export async function parkBatch(
  buffer: FetchBuffer,
  payload: EachBatchPayload,
  heartbeatIntervalMs: number,
  notify: () => void,
  isClosed: () => boolean,
): Promise<void> {
  const { batch } = payload;
  if (batch.isEmpty() || !payload.isRunning() || payload.isStale() || isClosed()) return;
  let released = false;
  const done = new Promise<void>((resolve) => {
    buffer.add({
      key: tpKey(batch.topic, batch.partition),
      batch,
      next: 0,
      resolveOffset: payload.resolveOffset,
      release: () => {
        released = true;
        resolve();
      },
    });
  });
  notify();
  const interval = Math.max(50, Math.floor(heartbeatIntervalMs / 2));
  while (!released) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, interval)))]);
    clearTimeout(timer);
    if (released) return;
    if (!payload.isRunning() || isClosed()) {
      buffer.drop(batch);
      return;
    }
    try {
      await payload.heartbeat();
    } catch (e) {
      buffer.drop(batch);
      throw e;
    }
  }
}
