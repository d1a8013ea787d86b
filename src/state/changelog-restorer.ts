/**
 * Replays changelog partitions into stores: one manually assigned consumer, batched polls, each
 * record applied with store.restore(); after every polled batch the store may persist what it
 * applied (restoreBatchDone). Reads [startOffset, endOffset) where endOffset is the partition's
 * end when restoration began. Under exactly-once the consumer reads committed records only;
 * transaction markers and aborted records occupy offsets but are never delivered, so a partition is
 * done when the consumer's position (Java's position(): past what it skipped) reaches endOffset,
 * not when a record at endOffset - 1 arrives. Without any progress for idleTimeoutMs (an open
 * transaction at the end) the restore stops with a warning.
 */
import type { Backend, FetchBatch, TopicPartition } from '../backend/backend-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Logger } from '../runtime/logger.js';
import { tpKey } from './checkpoint-file.js';
import type { StoreLifecycle } from './store-types.js';

export interface RestoreProgress {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
  /** Records applied so far. */
  readonly restored: number;
  /** Upper bound of records to apply (endOffset - startOffset; compaction leaves gaps). */
  readonly total: number;
  readonly elapsedMs: number;
  /** Records per second so far. */
  readonly ratePerSec: number;
  readonly done: boolean;
}

export interface RestoreTarget {
  readonly store: StoreLifecycle;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
}

export interface RestoreOptions {
  readonly eos: boolean;
  readonly logger: Logger;
  readonly onProgress?: (p: RestoreProgress) => void;
  /** Records per poll. Default 10000. */
  readonly maxPollRecords?: number;
  /** How long one poll waits for data. Default 100 ms. */
  readonly pollWaitMs?: number;
  /** Give up waiting for records short of the end after this long without data (the tail was compacted away or is an open transaction). Default 5000 ms. */
  readonly idleTimeoutMs?: number;
}

interface Running {
  readonly t: RestoreTarget;
  position: number;
  restored: number;
  done: boolean;
}

function hasBatchHook(s: StoreLifecycle): s is StoreLifecycle & { restoreBatchDone(): Promise<void> } {
  return typeof (s as { restoreBatchDone?: unknown }).restoreBatchDone === 'function';
}

function recordError(r: Running, fb: FetchBatch, i: number, cause: unknown): StreamwrightError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StreamwrightError(
    'STATE_STORE',
    `Restoring store "${r.t.store.name}" failed at ${fb.topic} partition ${fb.partition} offset ${fb.offsets[i]}: ${why}. ` +
      'The changelog holds a record this store cannot read (wrong serde, or the topic is shared with another store). Fix the serde or delete the changelog topic and the local state to rebuild from input.',
    { store: r.t.store.name, topic: fb.topic, partition: fb.partition, offset: fb.offsets[i] },
    { cause },
  );
}

/** Restores every target; returns records applied per target (same order). */
export async function restoreChangelogs(backend: Backend, targets: readonly RestoreTarget[], opts: RestoreOptions): Promise<number[]> {
  const runs: Running[] = targets.map((t) => ({ t, position: t.startOffset, restored: 0, done: t.startOffset >= t.endOffset }));
  const started = performance.now();
  const report = (r: Running) => {
    if (opts.onProgress === undefined) return;
    // Sub-millisecond clock for the rate: a small restore can finish within one millisecond.
    const elapsed = performance.now() - started;
    const { store, topic, partition, startOffset, endOffset } = r.t;
    opts.onProgress({ store: store.name, topic, partition, startOffset, endOffset, restored: r.restored, total: endOffset - startOffset, elapsedMs: Math.round(elapsed), ratePerSec: elapsed > 0 ? (r.restored * 1000) / elapsed : 0, done: r.done });
  };
  const byTp = new Map<string, Running>();
  for (const r of runs) {
    if (r.done) report(r);
    else byTp.set(tpKey(r.t.topic, r.t.partition), r);
  }
  if (byTp.size === 0) return runs.map((r) => r.restored);

  const consumer = backend.consumer({ isolationLevel: opts.eos ? 'read_committed' : 'read_uncommitted', clientId: 'streamwright-restore' });
  const maxRecords = opts.maxPollRecords ?? 10_000;
  const pollWaitMs = opts.pollWaitMs ?? 100;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 5_000;
  let pending = byTp.size;
  const finish = (r: Running) => {
    r.done = true;
    pending--;
    consumer.pause([{ topic: r.t.topic, partition: r.t.partition } satisfies TopicPartition]);
    report(r);
  };
  try {
    await consumer.assign([...byTp.values()].map((r) => ({ topic: r.t.topic, partition: r.t.partition, offset: r.t.startOffset })));
    let idleSince = Date.now();
    // The position moves past markers and aborted records too: that is what says a partition is done.
    const reachedEnd = (r: Running): boolean => {
      const position = consumer.position({ topic: r.t.topic, partition: r.t.partition });
      if (position > r.position) {
        r.position = Math.min(position, r.t.endOffset);
        idleSince = Date.now();
      }
      if (r.position >= r.t.endOffset) finish(r);
      return r.done;
    };
    while (pending > 0) {
      const batches = await consumer.poll({ maxRecords, maxWaitMs: pollWaitMs });
      if (batches.length > 0) idleSince = Date.now();
      for (const fb of batches) {
        const r = byTp.get(tpKey(fb.topic, fb.partition));
        if (r === undefined || r.done) continue;
        const store = r.t.store;
        for (let i = 0; i < fb.size; i++) {
          const offset = fb.offsets[i];
          if (offset >= r.t.endOffset) break;
          const key = fb.keys[i];
          try {
            if (key === null) throw new Error('a changelog record has a null key');
            store.restore(key, fb.values[i], fb.timestamps[i]);
          } catch (e) {
            throw recordError(r, fb, i, e);
          }
          r.restored++;
          r.position = offset + 1;
        }
        if (hasBatchHook(store)) await store.restoreBatchDone();
        if (!reachedEnd(r) && fb.size > 0) report(r);
      }
      for (const r of byTp.values()) if (!r.done) reachedEnd(r);
      if (pending > 0 && Date.now() - idleSince >= idleTimeoutMs) {
        for (const r of byTp.values()) {
          if (r.done) continue;
          opts.logger.warn(`Restore of store "${r.t.store.name}" stopped at offset ${r.position} of ${r.t.topic} partition ${r.t.partition} (end ${r.t.endOffset}): no more records arrived within ${idleTimeoutMs} ms.`, { store: r.t.store.name, topic: r.t.topic, partition: r.t.partition, position: r.position, end: r.t.endOffset });
          finish(r);
        }
      }
    }
  } finally {
    await consumer.close();
  }
  return runs.map((r) => r.restored);
}
