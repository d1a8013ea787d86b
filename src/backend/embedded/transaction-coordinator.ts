import * as path from 'node:path';
import type { TopicPartitionOffset } from '../backend-types.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { FramedLog } from './framed-log.js';
import type { OffsetStore } from './offset-store.js';
import type { PartitionLog } from './partition-log.js';
import type { TopicRegistry } from './topic-registry.js';

/** Written before a commit's markers: the partitions and group offsets the transaction covers. */
interface PrepareEntry {
  readonly t: 'prepare';
  readonly pid: number;
  readonly id: string;
  readonly parts: [string, number][];
  readonly offsets: { g: string; o: [string, number, number][] }[];
}
interface CompleteEntry {
  readonly t: 'complete';
  readonly pid: number;
}
type TxnLogEntry = PrepareEntry | CompleteEntry;

/** A producer that can be fenced by a newer producer with the same transactional id. */
export interface Fenceable {
  fence(): void;
}

const REWRITE_AT_BYTES = 1024 * 1024;

/**
 * Transactions. Each transaction gets a unique producer id, stamped on its batches. Commit writes
 * a `prepare` entry to `transactions.log` (the partitions and offsets), then a commit marker to
 * every partition, then the offsets, then `complete`. Abort writes abort markers only. On open,
 * prepared-but-incomplete commits are finished and every other unfinished transaction is aborted,
 * so a crash at any moment leaves each transaction all-or-nothing.
 */
export class TransactionCoordinator {
  private readonly log: FramedLog;
  private nextPid = 0;
  private readonly owners = new Map<string, Fenceable>();
  private readonly flusher: FlushScheduler;
  private readonly offsets: OffsetStore;

  constructor(dataDir: string, flusher: FlushScheduler, topics: TopicRegistry, offsets: OffsetStore) {
    this.flusher = flusher;
    this.offsets = offsets;
    const { log, entries } = FramedLog.open<TxnLogEntry>(path.join(dataDir, 'transactions.log'), flusher);
    this.log = log;
    let maxPid = -1;
    for (const t of topics.topics.values()) for (const p of t.logs) maxPid = Math.max(maxPid, p.maxProducerId);
    for (const e of entries) maxPid = Math.max(maxPid, e.pid);
    this.nextPid = maxPid + 1;
    this.recover(entries, topics);
  }

  private recover(entries: readonly TxnLogEntry[], topics: TopicRegistry): void {
    const completed = new Set<number>();
    for (const e of entries) if (e.t === 'complete') completed.add(e.pid);
    const now = Date.now();
    for (const e of entries) {
      if (e.t !== 'prepare' || completed.has(e.pid)) continue;
      for (const [topic, partition] of e.parts) {
        const log = topics.topics.get(topic)?.logs[partition];
        if (log !== undefined && log.openTxns.has(e.pid)) log.appendControl(e.pid, true, now);
      }
      for (const { g, o } of e.offsets) {
        const live = o.filter(([topic]) => topics.topics.has(topic));
        this.offsets.commit(g, live.map(([topic, partition, offset]) => ({ topic, partition, offset })));
      }
    }
    for (const t of topics.topics.values()) {
      for (const log of t.logs) for (const pid of [...log.openTxns.keys()]) log.appendControl(pid, false, now);
    }
    this.flusher.flushNow();
    if (entries.length > 0) this.log.rewrite([]);
  }

  /** Registers the producer for a transactional id, fencing (and aborting) the previous one. */
  register(transactionalId: string, producer: Fenceable): void {
    const old = this.owners.get(transactionalId);
    this.owners.set(transactionalId, producer);
    if (old !== undefined && old !== producer) old.fence();
  }

  unregister(transactionalId: string, producer: Fenceable): void {
    if (this.owners.get(transactionalId) === producer) this.owners.delete(transactionalId);
  }

  /** A fresh producer id for one transaction. */
  allocate(): number {
    return this.nextPid++;
  }

  /** Makes the transaction visible: prepare, markers, offsets, complete (all before returning). */
  commit(
    transactionalId: string,
    pid: number,
    partitions: Iterable<PartitionLog>,
    offsets: ReadonlyMap<string, ReadonlyMap<string, TopicPartitionOffset>>,
  ): void {
    const parts = [...partitions].filter((p) => !p.closed);
    if (parts.length === 0 && offsets.size === 0) return;
    const entry: PrepareEntry = {
      t: 'prepare',
      pid,
      id: transactionalId,
      parts: parts.map((p) => [p.topic, p.partition]),
      offsets: [...offsets].map(([g, m]) => ({ g, o: [...m.values()].map((t) => [t.topic, t.partition, t.offset]) })),
    };
    this.log.append(entry);
    if (this.flusher.policy === 'always') {
      this.flusher.forget(this.log);
      this.log.sync(); // the prepare entry must be on disk before any marker
    }
    const now = Date.now();
    for (const p of parts) p.appendControl(pid, true, now);
    for (const [g, m] of offsets) this.offsets.commit(g, [...m.values()]);
    this.log.append({ t: 'complete', pid } satisfies CompleteEntry);
    if (this.log.bytes > REWRITE_AT_BYTES) this.log.rewrite([]);
  }

  /** Aborts: markers only; the records stay in the log and every reader skips them. */
  abort(pid: number, partitions: Iterable<PartitionLog>): void {
    const now = Date.now();
    for (const p of partitions) if (!p.closed && p.openTxns.has(pid)) p.appendControl(pid, false, now);
  }

  close(): void {
    this.log.close();
  }
}
