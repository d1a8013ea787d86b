import type { FetchBatch, LogConsumer, TopicPartitionOffset } from '../backend/backend-types.js';
import { writeChunk, type CliIo } from './cli-io.js';
import type { RecordFormatter } from './record-formatter.js';

export interface ConsumeLoopOptions {
  readonly topic: string;
  /** End offset per partition seen at start: without follow, records at or past it are not printed
   * and the loop stops once every partition got there. Undefined: follow forever. */
  readonly stopAt: ReadonlyMap<number, number> | undefined;
  /** Where each partition starts (for the end check; a partition already at its end is done). */
  readonly startAt: ReadonlyMap<number, number>;
  readonly maxMessages: number | undefined;
  /** Stop when no record arrived for this long (ms); Infinity never. */
  readonly idleLimitMs: number;
  /** Commit printed offsets to the consumer's group after each poll. */
  readonly commit: boolean;
  readonly formatter: RecordFormatter;
  readonly pollMs: number;
  /** Group mode: whether the group gave this member partitions yet. Until it has, the idle clock does
   * not run (joining a Kafka group can take seconds); the wait for a first assignment is bounded by
   * max(idleLimitMs, JOIN_WAIT_MS). */
  readonly assigned?: () => boolean;
}

/** Longest a non-following group member waits for its first partitions before giving up. */
export const JOIN_WAIT_MS = 60_000;

export type StopReason = 'end' | 'max-messages' | 'idle' | 'signal' | 'output-closed';

export interface ConsumeResult {
  readonly count: number;
  readonly reason: StopReason;
  /** Partitions short of their end offset when the loop stopped idle: partition -> [position, end]. */
  readonly short: ReadonlyMap<number, readonly [number, number]>;
}

const MAX_POLL_RECORDS = 500;

/** Index of the first record of `b` (from `from`) whose offset is >= limit (b.size if none). */
function cutAt(b: FetchBatch, limit: number): number {
  let lo = 0;
  let hi = b.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.offsets[mid] < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Polls, formats whole batches into one output chunk per poll, writes it (respecting stdout
 * backpressure), then commits what was printed. Checks for a stop request between polls.
 */
export async function consumeLoop(consumer: LogConsumer, io: CliIo, o: ConsumeLoopOptions): Promise<ConsumeResult> {
  const position = new Map(o.startAt);
  let pending = 0;
  if (o.stopAt) for (const [p, end] of o.stopAt) if ((position.get(p) ?? end) < end) pending++;
  let count = 0;
  const startedAt = Date.now();
  let lastRecordAt = startedAt;
  let joined = o.assigned === undefined;
  const result = (reason: StopReason): ConsumeResult => {
    const short = new Map<number, readonly [number, number]>();
    if (o.stopAt) for (const [p, end] of o.stopAt) if ((position.get(p) ?? end) < end) short.set(p, [position.get(p) ?? end, end]);
    return { count, reason, short };
  };
  for (;;) {
    if (o.stopAt && pending === 0) return result('end');
    if (o.maxMessages !== undefined && count >= o.maxMessages) return result('max-messages');
    if (io.signal?.aborted) return result('signal');
    const want = o.maxMessages === undefined ? MAX_POLL_RECORDS : Math.min(MAX_POLL_RECORDS, o.maxMessages - count);
    const batches = await consumer.poll({ maxRecords: want, maxWaitMs: o.pollMs });
    const now = Date.now();
    if (!joined && o.assigned!()) {
      joined = true;
      lastRecordAt = now;
    }
    if (batches.length === 0) {
      if (joined ? now - lastRecordAt >= o.idleLimitMs : now - startedAt >= Math.max(o.idleLimitMs, JOIN_WAIT_MS)) return result('idle');
      continue;
    }
    lastRecordAt = now;
    let out = '';
    const commits: TopicPartitionOffset[] = [];
    for (const b of batches) {
      if (b.size === 0) continue;
      let n = b.size;
      const end = o.stopAt?.get(b.partition);
      if (end !== undefined) n = cutAt(b, end);
      if (o.maxMessages !== undefined) n = Math.min(n, o.maxMessages - count);
      if (n > 0) {
        out += o.formatter.format(b, 0, n);
        count += n;
        if (o.commit) commits.push({ topic: o.topic, partition: b.partition, offset: b.offsets[n - 1] + 1 });
      }
      if (end !== undefined) {
        const before = position.get(b.partition) ?? 0;
        const next = Math.max(before, b.offsets[b.size - 1] + 1);
        position.set(b.partition, next);
        if (before < end && next >= end) pending--;
      }
    }
    if (!(await writeChunk(io.stdout, out))) return result('output-closed');
    if (commits.length > 0) await consumer.commit(commits);
  }
}
