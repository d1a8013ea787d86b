import * as path from 'node:path';
import type { TopicPartitionOffset } from '../backend-types.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { FramedLog } from './framed-log.js';

/** One commit: group and [topic, partition, offset] triples; offset -1 deletes. */
interface OffsetEntry {
  readonly g: string;
  readonly o: [string, number, number][];
}

const COMPACT_AT_BYTES = 4 * 1024 * 1024;

/**
 * Committed offsets per consumer group (the next offset to read), durable in
 * `consumer-offsets.log`. Replayed on open; rewritten as a snapshot when it grows.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, TopicPartitionOffset>>();
  private readonly log: FramedLog;

  constructor(dataDir: string, flusher: FlushScheduler) {
    const { log, entries } = FramedLog.open<OffsetEntry>(path.join(dataDir, 'consumer-offsets.log'), flusher);
    this.log = log;
    for (const e of entries) this.apply(e);
    if (log.bytes > COMPACT_AT_BYTES) this.log.rewrite(this.snapshot());
  }

  private apply(e: OffsetEntry): void {
    let g = this.groups.get(e.g);
    if (g === undefined) {
      g = new Map();
      this.groups.set(e.g, g);
    }
    for (const [topic, partition, offset] of e.o) {
      const k = `${topic}\u0000${partition}`;
      if (offset < 0) g.delete(k);
      else g.set(k, { topic, partition, offset });
    }
  }

  private snapshot(): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const [g, m] of this.groups) {
      if (m.size > 0) out.push({ g, o: [...m.values()].map((t) => [t.topic, t.partition, t.offset]) });
    }
    return out;
  }

  /** Writes the commit to the log (OS page cache) and applies it. */
  commit(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    if (offsets.length === 0) return;
    const e: OffsetEntry = { g: groupId, o: offsets.map((t) => [t.topic, t.partition, t.offset]) };
    this.log.append(e);
    this.apply(e);
    if (this.log.bytes > COMPACT_AT_BYTES) this.log.rewrite(this.snapshot());
  }

  /** -1 when the group has no committed offset for the partition. */
  get(groupId: string, topic: string, partition: number): number {
    return this.groups.get(groupId)?.get(`${topic}\u0000${partition}`)?.offset ?? -1;
  }

  list(groupId: string, topics?: readonly string[]): TopicPartitionOffset[] {
    const g = this.groups.get(groupId);
    if (g === undefined) return [];
    const out = [...g.values()].filter((t) => topics === undefined || topics.includes(t.topic));
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** Forgets every group's offsets of a deleted topic. */
  deleteTopic(topic: string): void {
    for (const [g, m] of this.groups) {
      const gone = [...m.values()].filter((t) => t.topic === topic);
      if (gone.length > 0) this.commit(g, gone.map((t) => ({ ...t, offset: -1 })));
    }
  }

  close(): void {
    this.log.close();
  }
}
