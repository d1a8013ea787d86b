import type { FetchBatch, TopicPartitionOffset } from '../backend/backend-types.js';
import type { SourceOperator } from './operators/source-operator.js';

/** The source operator that reads a topic, and whether its runs enter one record at a time. */
export interface InputSource {
  readonly op: SourceOperator;
  readonly recordAtATime: boolean;
}

interface PartitionQueue {
  readonly topic: string;
  readonly source: SourceOperator;
  readonly recordAtATime: boolean;
  readonly batches: FetchBatch[];
  /** Index of the next record in batches[0]. */
  pos: number;
  /** Next offset to commit (last processed + 1); -1 before any record. */
  committable: number;
  /** Wall-clock time until which the task waits for this empty partition; -1 when not waiting. */
  idleDeadline: number;
}

/** A run of records of one input partition that can enter the sub-topology together. One object
 * per group, reused: valid until the next nextRun(). */
export interface Run {
  queue: PartitionQueue;
  fb: FetchBatch;
  start: number;
  end: number;
  /** Taken only because max.task.idle.ms ran out for an empty partition (Kafka's enforced processing). */
  enforced: boolean;
}

/** readiness(): records may be processed (READY), not yet (IDLE), or only because the task gave
 * up waiting for an empty partition (ENFORCED). */
export const Readiness = { Ready: 0, Idle: 1, Enforced: 2 } as const;
export type ReadinessState = (typeof Readiness)[keyof typeof Readiness];

/**
 * The fetched, not yet processed records of a task's input partitions (Kafka Streams'
 * PartitionGroup). Runs come out in timestamp order across partitions: the queue with the smallest
 * head timestamp runs until its records pass the next queue's head. With max.task.idle.ms >= 0,
 * readiness() holds processing back while some partitions have records and others are empty.
 */
export class PartitionGroup {
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly run: Run = { queue: undefined!, fb: undefined!, start: 0, end: 0, enforced: false };

  /**
   * @param maxTaskIdleMs max.task.idle.ms: -1 never waits; otherwise how long (wall clock) to
   * wait for an empty partition while others have records.
   */
  constructor(
    private readonly partition: number,
    private readonly sourceFor: (topic: string) => InputSource,
    private readonly maxTaskIdleMs = -1,
  ) {}

  /** Registers an input partition before any record of it arrives, so nextRun() waits for it
   * (only with max.task.idle.ms >= 0: otherwise queues appear with their first records). */
  addPartition(topic: string): void {
    if (this.maxTaskIdleMs >= 0) this.queueOf(topic);
  }

  add(fb: FetchBatch): void {
    if (fb.size === 0) return;
    this.queueOf(fb.topic).batches.push(fb);
  }

  private queueOf(topic: string): PartitionQueue {
    let q = this.queues.get(topic);
    if (!q) {
      const { op, recordAtATime } = this.sourceFor(topic);
      q = { topic, source: op, recordAtATime, batches: [], pos: 0, committable: -1, idleDeadline: -1 };
      this.queues.set(topic, q);
    }
    return q;
  }

  buffered(): number {
    let n = 0;
    for (const q of this.queues.values()) for (let b = 0; b < q.batches.length; b++) n += q.batches[b].size - (b === 0 ? q.pos : 0);
    return n;
  }

  /**
   * Kafka Streams' PartitionGroup.readyToProcess() at wall-clock time `now`: ready when every
   * input partition has records; while some are empty, idle until each has been empty for
   * max.task.idle.ms since the task began waiting for it, then enforced. Our consumers do not
   * report the end offset of a partition they returned nothing for, so every empty partition
   * counts as caught up (Kafka also waits, without limit, for one known to have unfetched records).
   */
  readiness(now: number): ReadinessState {
    if (this.maxTaskIdleMs < 0) return Readiness.Ready;
    let buffered = false;
    let waiting = false;
    let enforced = false;
    for (const q of this.queues.values()) {
      if (q.batches.length > 0) {
        q.idleDeadline = -1;
        buffered = true;
        continue;
      }
      if (q.idleDeadline < 0) q.idleDeadline = now + this.maxTaskIdleMs;
      if (now < q.idleDeadline) waiting = true;
      else enforced = true;
    }
    if (!buffered || waiting) return Readiness.Idle;
    return enforced ? Readiness.Enforced : Readiness.Ready;
  }

  /** The next run to process, or undefined when none is buffered or readiness(now) is idle. */
  nextRun(maxRecords: number, now: number): Run | undefined {
    if (maxRecords <= 0) return undefined;
    let enforced = false;
    if (this.maxTaskIdleMs >= 0) {
      const r = this.readiness(now);
      if (r === Readiness.Idle) return undefined;
      enforced = r === Readiness.Enforced;
    }
    let best: PartitionQueue | undefined;
    let bestTs = Number.POSITIVE_INFINITY;
    let secondTs = Number.POSITIVE_INFINITY;
    for (const q of this.queues.values()) {
      if (q.batches.length === 0) continue;
      const ts = q.batches[0].timestamps[q.pos];
      if (best === undefined || ts < bestTs) {
        secondTs = bestTs;
        bestTs = ts;
        best = q;
      } else if (ts < secondTs) secondTs = ts;
    }
    if (best === undefined) return undefined;
    const fb = best.batches[0];
    const start = best.pos;
    const limit = Math.min(fb.size, start + maxRecords);
    const timestamps = fb.timestamps;
    let end = start + 1;
    while (end < limit && timestamps[end] <= secondTs) end++;
    const run = this.run;
    run.queue = best;
    run.fb = fb;
    run.start = start;
    run.end = end;
    run.enforced = enforced;
    return run;
  }

  /** Advances the queue past a processed run; returns its record count. */
  finishRun(run: Run): number {
    const { queue, fb, start, end } = run;
    queue.committable = fb.offsets[end - 1] + 1;
    if (end >= fb.size) {
      queue.batches.shift();
      queue.pos = 0;
    } else queue.pos = end;
    return end - start;
  }

  /** The next offset of every input partition that has made progress. */
  committableOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const q of this.queues.values()) if (q.committable >= 0) out.push({ topic: q.topic, partition: this.partition, offset: q.committable });
    return out;
  }

  clear(): void {
    for (const q of this.queues.values()) {
      q.batches.length = 0;
      q.pos = 0;
      q.idleDeadline = -1;
    }
  }
}
