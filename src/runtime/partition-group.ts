import type { FetchBatch, TopicPartitionOffset } from '../backend/backend-types.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { SourceOperator } from './operators/source-operator.js';

interface PartitionQueue {
  readonly topic: string;
  readonly source: SourceOperator;
  readonly batches: FetchBatch[];
  /** Index of the next record in batches[0]. */
  pos: number;
  /** Next offset to commit (last processed + 1); -1 before any record. */
  committable: number;
}

/** A run of records of one input partition that can enter the sub-topology together. */
export interface Run {
  readonly queue: PartitionQueue;
  readonly fb: FetchBatch;
  readonly start: number;
  readonly end: number;
}

/**
 * The fetched, not yet processed records of a task's input partitions (Kafka Streams'
 * PartitionGroup). Runs come out in timestamp order across partitions: the queue with the smallest
 * head timestamp runs until its records pass the next queue's head.
 */
export class PartitionGroup {
  private readonly queues = new Map<string, PartitionQueue>();

  constructor(
    private readonly partition: number,
    private readonly sourceFor: (topic: string) => SourceOperator,
  ) {}

  add(fb: FetchBatch): void {
    if (fb.size === 0) return;
    let q = this.queues.get(fb.topic);
    if (!q) {
      q = { topic: fb.topic, source: this.sourceFor(fb.topic), batches: [], pos: 0, committable: -1 };
      this.queues.set(fb.topic, q);
    }
    q.batches.push(fb);
  }

  buffered(): number {
    let n = 0;
    for (const q of this.queues.values()) for (let b = 0; b < q.batches.length; b++) n += q.batches[b].size - (b === 0 ? q.pos : 0);
    return n;
  }

  nextRun(maxRecords: number): Run | undefined {
    if (maxRecords <= 0) return undefined;
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
    let end = start + 1;
    while (end < limit && fb.timestamps[end] <= secondTs) end++;
    return { queue: best, fb, start, end };
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
    }
  }
}

/**
 * Kafka Streams takes each record through the whole sub-topology before the next one (depth first).
 * Batches go breadth first: a parent hands its whole output batch to its first child, then to the
 * next. That is the same thing unless paths that fork meet again, where batching would reorder
 * records of one key: a node with several parents (merge), two sinks that may write the same topic,
 * or a store used by two nodes. Such sub-topologies take one record at a time.
 */
export function needsRecordOrder(nodes: readonly GraphNode[]): boolean {
  const sinkTopics = new Set<string>();
  let sinks = 0;
  let extractorSink = false;
  const storeUsers = new Set<string>();
  for (const n of nodes) {
    if (n.parents.length > 1) return true;
    for (const store of n.stores) {
      if (storeUsers.has(store)) return true;
      storeUsers.add(store);
    }
    if (n.kind !== 'sink') continue;
    sinks++;
    if (n.topic === undefined) extractorSink = true;
    else if (sinkTopics.has(n.topic)) return true;
    else sinkTopics.add(n.topic);
  }
  return extractorSink && sinks > 1;
}
