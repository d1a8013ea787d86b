import type { Change } from '../../graph/processor-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { SuppressOperator } from './suppress-operator.js';

/** What the buffer's store keeps per key (see SuppressBufferSerdeSet for the bytes). */
export interface StoredUpdate {
  readonly time: number;
  readonly timestamp: number;
  readonly change: Change<unknown>;
}

/** One buffered key: its index (always in memory) and, unless spilled, its value. */
export interface Buffered {
  readonly id: unknown;
  readonly key: unknown;
  /** The latest change; undefined when spilled and written (the value is only in the store). */
  change: Change<unknown> | undefined;
  readonly time: number;
  timestamp: number;
  bytes: number;
  /** Beyond the in-memory head of the buffer. */
  spilled: boolean;
  /** Updated while spilled: change.newValue is current, change.oldValue must come from the store. */
  merge: boolean;
  /** Its store write waits for the next async step (merge, or its key held for emission). */
  unwritten: boolean;
}

/**
 * The disk side of a spilling suppression buffer (BufferConfig.spillToDiskWhenFull). Entries
 * beyond maxRecords/maxBytes keep only their index in memory; their values are in the persistent
 * store. A spilled entry cannot be read synchronously, so when stream time makes one due it is
 * taken out of the buffer (as Kafka Streams would emit it) into `held`, and every entry that comes
 * due after it is held too, so emission stays in the order entries became due. The task awaits
 * step() between runs and before each commit: one batched prefetch of the held, merging and
 * refilling keys, then the held entries are emitted in order and deleted from the store, deferred
 * writes applied, and the in-memory head refilled with the soonest-due spilled entries.
 *
 * A key whose held entry still needs its stored value defers every later write of that key to the
 * step (after the read), so the value is never overwritten before it is emitted.
 */
export class SuppressSpill {
  private held: Buffered[] = [];
  /** Keys the step must delete (held entries not deleted synchronously), by id. */
  private heldKeys = new Map<unknown, { key: unknown; timestamp: number }>();
  private unwritten: Buffered[] = [];

  constructor(private readonly op: SuppressOperator) {}

  get heldCount(): number {
    return this.held.length;
  }

  /** A new entry landed beyond the in-memory head. */
  spilled(entry: Buffered): void {
    entry.spilled = true;
  }

  /** Moves the last in-memory entry to disk (its value is dropped once written). */
  spillTail(): void {
    const op = this.op;
    const e = op.order[op.memCount - 1];
    e.spilled = true;
    op.memCount--;
    op.bytes -= e.bytes;
    if (!e.unwritten) e.change = undefined;
  }

  /** Spills until the in-memory head fits the limits (after a rebuild). */
  fitInMemory(): void {
    const op = this.op;
    while (op.memCount > op.node.maxRecords || op.bytes > op.node.maxBytes) this.spillTail();
  }

  /** True when the entry's store write must wait for the step; records it then. */
  defersWrite(entry: Buffered): boolean {
    if (entry.unwritten) return true;
    if (!entry.merge && !this.heldKeys.has(entry.id)) return false;
    entry.unwritten = true;
    this.unwritten.push(entry);
    return true;
  }

  /** True when the due head entry may be emitted synchronously. */
  emitsNow(head: Buffered): boolean {
    return this.held.length === 0 && !head.spilled;
  }

  /** Takes the due head entry (already shifted off `order`) out of the buffer until the step. */
  hold(entry: Buffered): void {
    const op = this.op;
    op.byId.delete(entry.id);
    if (!entry.spilled) {
      op.memCount--;
      op.bytes -= entry.bytes;
    }
    if (entry.spilled || entry.unwritten || this.heldKeys.has(entry.id)) this.heldKeys.set(entry.id, { key: entry.key, timestamp: entry.timestamp });
    else this.deleteStored(entry.key, entry.timestamp);
    this.held.push(entry);
  }

  /** Deletes without reading (a persistent store's delete() needs the key prefetched). */
  deleteStored(key: unknown, timestamp: number): void {
    this.op.store.put(key, null as unknown as StoredUpdate, timestamp);
  }

  /** The task's asynchronous step; undefined when there is nothing to do. */
  step(): Promise<void> | undefined {
    if (this.held.length === 0 && this.unwritten.length === 0 && !this.wantsRefill()) return undefined;
    return this.run();
  }

  private wantsRefill(): boolean {
    const op = this.op;
    const { maxRecords, maxBytes } = op.node;
    if (op.memCount >= op.order.length || op.memCount * 2 > maxRecords || op.bytes * 2 > maxBytes) return false;
    return op.bytes + op.order[op.memCount].bytes <= maxBytes;
  }

  private async run(): Promise<void> {
    const op = this.op;
    const keys: unknown[] = [];
    for (const h of this.held) if (h.change === undefined || h.merge) keys.push(h.key);
    for (const u of this.unwritten) if (u.merge && op.byId.get(u.id) === u) keys.push(u.key);
    const refill = this.refillCount();
    for (let i = op.memCount; i < op.memCount + refill; i++) if (op.order[i].change === undefined) keys.push(op.order[i].key);
    if (keys.length > 0) {
      const loading = op.store.prefetch(keys);
      if (loading !== undefined) await loading;
    }
    // Read every stored value before any write of this step.
    for (const h of this.held) this.resolve(h);
    for (const u of this.unwritten) if (op.byId.get(u.id) === u) this.resolve(u);
    const held = this.held;
    this.held = [];
    if (held.length > 0) op.emitRecords(held, op.node.mode.type === 'untilWindowCloses');
    for (const { key, timestamp } of this.heldKeys.values()) this.deleteStored(key, timestamp);
    this.heldKeys.clear();
    const unwritten = this.unwritten;
    this.unwritten = [];
    for (const u of unwritten) {
      if (op.byId.get(u.id) !== u) continue;
      op.store.put(u.key, { time: u.time, timestamp: u.timestamp, change: u.change! }, u.timestamp);
      u.unwritten = false;
      if (u.spilled) u.change = undefined;
    }
    for (let n = 0; n < refill && op.memCount < op.order.length; n++) {
      const e = op.order[op.memCount];
      if (e.change === undefined) e.change = this.read(e).change;
      e.spilled = false;
      op.memCount++;
      op.bytes += e.bytes;
    }
  }

  /** How many spilled entries after the in-memory head fit in memory now. */
  private refillCount(): number {
    const op = this.op;
    const { maxRecords, maxBytes } = op.node;
    let n = 0;
    let bytes = op.bytes;
    for (let i = op.memCount; i < op.order.length && op.memCount + n < maxRecords; i++, n++) {
      bytes += op.order[i].bytes;
      if (bytes > maxBytes) break;
    }
    return n;
  }

  /** Completes a held or merging entry's change from the store. */
  private resolve(e: Buffered): void {
    if (e.change !== undefined && !e.merge) return;
    const stored = this.read(e);
    e.change = e.merge ? { newValue: e.change!.newValue, oldValue: stored.change.oldValue } : stored.change;
    e.merge = false;
  }

  private read(e: Buffered): StoredUpdate {
    const stored = this.op.store.get(e.key);
    if (stored === undefined || stored === null) {
      const op = this.op;
      throw new StreamwrightError(
        'STATE_STORE',
        `Suppression "${op.name}" in task ${op.taskId} lost a spilled entry (buffer time ${e.time}, timestamp ${e.timestamp}): store "${op.node.store}" has no value for its key. The store's local files or changelog were changed behind the application; reset the application's state.`,
        { node: op.name, store: op.node.store, time: e.time, timestamp: e.timestamp },
      );
    }
    return stored;
  }
}
