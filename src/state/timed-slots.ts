/**
 * In-memory layout of window and session stores: per key, its windows (slots) sorted by
 * (end, start), which for fixed-size windows is start order; and an expiry index that buckets
 * slots by end time so expire() touches only buckets with something to drop.
 */
export interface TimedSlot<K, V> {
  readonly owner: KeySlots<K, V>;
  readonly start: number;
  readonly end: number;
  /** Current value; undefined = deleted (kept until flushed). */
  value: V | undefined;
  dirty: boolean;
  /** Value at the last flush (old value for the listener); undefined = absent. */
  flushed: V | undefined;
  timestamp: number;
  size: number;
  /** Neighbours in the store's dirty list (least recently updated first) while dirty. */
  prevDirty: TimedSlot<K, V> | null;
  nextDirty: TimedSlot<K, V> | null;
  /** In the store's expiry index (added and not yet removed or expired). */
  indexed: boolean;
}

export interface KeySlots<K, V> {
  readonly key: K;
  /** The serialized key's bytes as a latin1 string (bytesId): a quarter of a Buffer's heap. */
  readonly keyId: string;
  /** Replaced (not grown) when the first slot arrives: see insertSlot. */
  slots: TimedSlot<K, V>[];
}

function before(aEnd: number, aStart: number, bEnd: number, bStart: number): boolean {
  return aEnd < bEnd || (aEnd === bEnd && aStart < bStart);
}

/** Index of the first slot not before (end, start). */
export function lowerBound<K, V>(slots: readonly TimedSlot<K, V>[], start: number, end: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = slots[mid];
    if (before(s.end, s.start, end, start)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function findSlot<K, V>(ks: KeySlots<K, V>, start: number, end: number): TimedSlot<K, V> | undefined {
  const i = lowerBound(ks.slots, start, end);
  const s = ks.slots[i];
  return s !== undefined && s.start === start && s.end === end ? s : undefined;
}

export function insertSlot<K, V>(ks: KeySlots<K, V>, slot: TimedSlot<K, V>): void {
  // Most keys only ever have one live window: an exact one-element array instead of growing the
  // empty one (which V8 would give room for 17).
  if (ks.slots.length === 0) ks.slots = [slot];
  else ks.slots.splice(lowerBound(ks.slots, slot.start, slot.end), 0, slot);
}

export function removeSlot<K, V>(slot: TimedSlot<K, V>): void {
  const slots = slot.owner.slots;
  const i = lowerBound(slots, slot.start, slot.end);
  if (slots[i] === slot) slots.splice(i, 1);
}

/**
 * The dirty slots in the order they were last updated (oldest first): an intrusive doubly-linked
 * list, so marking a slot dirty again is O(1) with no hashing and eviction takes the head.
 */
export class DirtyList<K, V> {
  head: TimedSlot<K, V> | null = null;
  tail: TimedSlot<K, V> | null = null;
  size = 0;

  /** Appends (or moves) a slot to the end; the caller knows whether it was already linked. */
  append(slot: TimedSlot<K, V>): void {
    slot.prevDirty = this.tail;
    slot.nextDirty = null;
    if (this.tail === null) this.head = slot;
    else this.tail.nextDirty = slot;
    this.tail = slot;
    this.size++;
  }

  unlink(slot: TimedSlot<K, V>): void {
    const prev = slot.prevDirty;
    const next = slot.nextDirty;
    if (prev === null) this.head = next;
    else prev.nextDirty = next;
    if (next === null) this.tail = prev;
    else next.prevDirty = prev;
    slot.prevDirty = slot.nextDirty = null;
    this.size--;
  }

  /** The slots in order, as an array (a snapshot for a pass that may change the list). */
  toArray(): TimedSlot<K, V>[] {
    const out: TimedSlot<K, V>[] = [];
    for (let s = this.head; s !== null; s = s.nextDirty) out.push(s);
    return out;
  }

  clear(): void {
    for (let s = this.head; s !== null; ) {
      const next = s.nextDirty;
      s.prevDirty = s.nextDirty = null;
      s = next;
    }
    this.head = this.tail = null;
    this.size = 0;
  }
}

interface Bucket<K, V> {
  /** Slots in the order they were added; entries from `head` on, those still `indexed` are live. */
  list: TimedSlot<K, V>[];
  head: number;
  live: number;
  minEnd: number;
  /** End of the slot added last, and whether slots were added in non-decreasing end order (the
   * usual case: records arrive in time order), which lets takeExpired() stop at the first live one. */
  lastEnd: number;
  sorted: boolean;
}

const NO_SLOTS: readonly never[] = Object.freeze([]);

/**
 * Slots bucketed by floor(end / bucketMs); each bucket knows its smallest end. A bucket keeps its
 * slots in an array in the order added (a slot object is added at most once: a removed slot is
 * discarded, a re-created window is a new object) and marks removed ones via `slot.indexed`, so
 * expiry walks from the front without a Set's deleted-entry holes to skip on every pass.
 */
export class ExpiryIndex<K, V> {
  private readonly buckets = new Map<number, Bucket<K, V>>();
  /** Largest bucket id created, and whether buckets were created in ascending id order (records
   * in time order): then the Map iterates them oldest first and a scan can stop early. */
  private maxId = -Infinity;
  private idsAscending = true;
  /** A lower bound of every indexed slot's end (exact after a scan): takeExpired() returns at once
   * while the cutoff is below it, as it is for all but one record per window size in time order. */
  private lowest = Infinity;

  constructor(private readonly bucketMs: number) {}

  add(slot: TimedSlot<K, V>): void {
    const id = Math.floor(slot.end / this.bucketMs);
    let b = this.buckets.get(id);
    if (b === undefined) {
      if (id < this.maxId) this.idsAscending = false;
      else this.maxId = id;
      this.buckets.set(id, (b = { list: [], head: 0, live: 0, minEnd: slot.end, lastEnd: slot.end, sorted: true }));
    }
    if (slot.end < b.lastEnd) b.sorted = false;
    b.lastEnd = slot.end;
    b.list.push(slot);
    b.live++;
    slot.indexed = true;
    if (slot.end < b.minEnd) b.minEnd = slot.end;
    if (slot.end < this.lowest) this.lowest = slot.end;
  }

  remove(slot: TimedSlot<K, V>): void {
    if (!slot.indexed) return;
    const id = Math.floor(slot.end / this.bucketMs);
    const b = this.buckets.get(id);
    if (b === undefined) return;
    slot.indexed = false;
    if (--b.live === 0) this.buckets.delete(id);
    else if (b.list.length - b.head > 2 * b.live + 16) compact(b);
  }

  /** Removes and returns the slots with end <= cutoff (a shared empty array when none). */
  takeExpired(cutoff: number): readonly TimedSlot<K, V>[] {
    if (cutoff < this.lowest) return NO_SLOTS;
    let out: TimedSlot<K, V>[] | undefined;
    let lowest = Infinity;
    for (const [id, b] of this.buckets) {
      if (b.minEnd > cutoff) {
        if (b.minEnd < lowest) lowest = b.minEnd;
        // Every end in a later bucket exceeds every end in this one, so none of them is due either.
        if (this.idsAscending) break;
        continue;
      }
      out ??= [];
      let min = Infinity;
      const list = b.list;
      let i = b.head;
      for (; i < list.length; i++) {
        const s = list[i];
        if (!s.indexed) continue;
        if (s.end <= cutoff) {
          out.push(s);
          s.indexed = false;
          b.live--;
        } else if (b.sorted) {
          // Ends only grow from here on: the rest stays, and this is the smallest.
          min = s.end;
          break;
        } else if (s.end < min) min = s.end;
      }
      if (b.live === 0) {
        this.buckets.delete(id);
        continue;
      }
      b.minEnd = min;
      if (min < lowest) lowest = min;
      if (b.sorted) b.head = i;
      if (b.list.length - b.head > 2 * b.live + 16) compact(b);
    }
    this.lowest = lowest;
    return out ?? NO_SLOTS;
  }

  clear(): void {
    for (const b of this.buckets.values()) for (let i = b.head; i < b.list.length; i++) b.list[i].indexed = false;
    this.buckets.clear();
    this.lowest = Infinity;
    this.maxId = -Infinity;
    this.idsAscending = true;
  }
}

/** Drops removed entries (and the walked-past front) from a bucket's list, keeping the order. */
function compact<K, V>(b: Bucket<K, V>): void {
  const live: TimedSlot<K, V>[] = [];
  for (let i = b.head; i < b.list.length; i++) if (b.list[i].indexed) live.push(b.list[i]);
  b.list = live;
  b.head = 0;
}
