import type { Serde } from '../../graph/serde-types.js';
import type { WindowStore } from '../../state/store-types.js';

/** Sides as the shared outer-join store keys them. */
export type JoinSideKey = 'L' | 'R';

/** Emits one record that found no partner: (key, leftValue or null, rightValue or null, timestamp). */
export type NonJoinedSink = (key: unknown, left: unknown, right: unknown, timestamp: number) => void;

interface Pending {
  readonly ts: number;
  readonly side: JoinSideKey;
  readonly keyBytes: Buffer;
  readonly valueBytes: Buffer;
}

/**
 * The shared store of a left/outer stream-stream join (Kafka Streams' outer-join store): records
 * that found no partner yet, kept until their join window plus grace has closed, then emitted
 * with null for the missing side; removed as soon as a record of the other side joins them.
 * Stored as a window store keyed by side, one slot per timestamp holding [key, value] byte pairs,
 * so the entries are ordered by timestamp and survive a restart through the changelog.
 */
export class OuterJoinPending {
  constructor(
    private readonly store: WindowStore<unknown, Buffer[]>,
    private readonly keySerde: Serde<unknown>,
    private readonly leftSerde: Serde<unknown>,
    private readonly rightSerde: Serde<unknown>,
    private readonly topic: string,
  ) {}

  add(side: JoinSideKey, keyBytes: Buffer, valueBytes: Buffer, ts: number): void {
    const slot = this.store.fetch(side, ts);
    this.store.put(side, slot === undefined ? [keyBytes, valueBytes] : [...slot, keyBytes, valueBytes], ts, ts);
  }

  /** A record of the other side joined (key, ts): that side's entries for it are no longer pending. */
  removeJoined(side: JoinSideKey, keyBytes: Buffer, ts: number): void {
    const slot = this.store.fetch(side, ts);
    if (slot === undefined) return;
    let kept: Buffer[] | undefined;
    for (let k = 0; k < slot.length; k += 2) {
      if (slot[k].equals(keyBytes)) {
        kept ??= slot.slice(0, k);
      } else if (kept !== undefined) kept.push(slot[k], slot[k + 1]);
    }
    if (kept === undefined) return;
    this.store.put(side, kept.length === 0 ? undefined : kept, ts, ts);
  }

  /**
   * Emits, in (timestamp, right side first, key bytes, arrival) order as Kafka Streams' store
   * iterates them, every left entry with ts + afterMs + grace < streamTime and every right entry
   * with ts + beforeMs + grace < streamTime, and deletes them.
   */
  emitClosed(streamTime: number, afterMs: number, beforeMs: number, graceMs: number, sink: NonJoinedSink): void {
    const left = this.store.fetchRange('L', Number.MIN_SAFE_INTEGER, streamTime - afterMs - graceMs - 1);
    const right = this.store.fetchRange('R', Number.MIN_SAFE_INTEGER, streamTime - beforeMs - graceMs - 1);
    if (left.length === 0 && right.length === 0) return;
    const all: Pending[] = [];
    for (const e of right) for (let k = 0; k < e.value.length; k += 2) all.push({ ts: e.key.start, side: 'R', keyBytes: e.value[k], valueBytes: e.value[k + 1] });
    for (const e of left) for (let k = 0; k < e.value.length; k += 2) all.push({ ts: e.key.start, side: 'L', keyBytes: e.value[k], valueBytes: e.value[k + 1] });
    // Stable sort keeps the arrival order of equal entries.
    all.sort((a, b) => a.ts - b.ts || (a.side === b.side ? Buffer.compare(a.keyBytes, b.keyBytes) : a.side === 'R' ? -1 : 1));
    for (const p of all) {
      const key = this.keySerde.deserialize(this.topic, p.keyBytes);
      if (p.side === 'L') sink(key, this.leftSerde.deserialize(this.topic, p.valueBytes), null, p.ts);
      else sink(key, null, this.rightSerde.deserialize(this.topic, p.valueBytes), p.ts);
    }
    // Deleted only once all were emitted: a joiner that throws leaves them pending.
    for (const e of right) this.store.put('R', undefined, e.key.start, streamTime);
    for (const e of left) this.store.put('L', undefined, e.key.start, streamTime);
  }
}
