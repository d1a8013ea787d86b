/**
 * One window (one start) of a by-window store: the aggregates of every key in that window, held
 * column-wise (a value array, a timestamp array and a flag/size array indexed by a slot number)
 * with one Map from the key's id to its slot. Tumbling and hopping windows start at multiples of
 * their advance, so a task has a handful of open windows holding many keys each: a per-record
 * update is one Map lookup and a few array writes, with no object per (key, window).
 *
 * Slots are never reused inside a bucket: a deleted window keeps its slot (value undefined) until
 * the whole bucket expires, so slot numbers follow the Map's insertion order.
 */
import { isPrimitiveKey, type KeyId } from './key-codec.js';
import { lowerBound } from './sorted-search.js';
import type { KeyValueEntry, Windowed } from './store-types.js';

/** Flags of a slot (low bits of `meta`); the estimated cache size sits above them. */
export const DIRTY = 1;
/** Updated again since it was queued in the dirty queue (second chance before eviction). */
export const TOUCHED = 2;
/** The changelog/LevelDB hold a value for this window (so a delete must be logged). */
export const PERSISTED = 4;
const FLAG_BITS = 3;
const FLAG_MASK = (1 << FLAG_BITS) - 1;
const MAX_SIZE = (2 ** 32 - 1) >>> FLAG_BITS;

export class WindowBucket<K, V> {
  readonly index = new Map<KeyId, number>();
  /** The key object of each slot, only once some key is not primitive (else the Map key is the key). */
  keys: K[] | undefined = undefined;
  readonly values: (V | undefined)[] = [];
  /** The value at the last flush, kept only while the slot is dirty (the listener's old value). */
  readonly olds: (V | undefined)[] = [];
  timestamps = new Float64Array(4);
  /** flags | (estimated cache bytes << 3) per slot. */
  meta = new Uint32Array(4);
  /** Dirty slots in this bucket (so flushing or expiring a clean bucket costs nothing). */
  dirtyCount = 0;
  /** Set once the bucket is dropped (entries for it left in the dirty queue are skipped). */
  expired = false;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  get size(): number {
    return this.values.length;
  }

  /** Adds a slot for a key not in the bucket; returns its number. The caller sets its timestamp
   * (a timestamp argument would be boxed per call). */
  add(id: KeyId, key: K, value: V | undefined): number {
    const i = this.values.length;
    if (i === this.timestamps.length) this.grow(i * 2);
    this.index.set(id, i);
    if (this.keys !== undefined) this.keys.push(key);
    else if (id !== key) {
      // The first non-primitive key: from now on the bucket keeps key objects per slot.
      this.keys = new Array<K>(i);
      for (const [k, j] of this.index) if (j < i) this.keys[j] = k as unknown as K;
      this.keys.push(key);
    }
    this.values.push(value);
    this.olds.push(undefined);
    this.meta[i] = 0;
    return i;
  }

  keyAt(i: number, id: KeyId): K {
    return this.keys === undefined ? (id as unknown as K) : this.keys[i];
  }

  flags(i: number): number {
    return this.meta[i] & FLAG_MASK;
  }

  sizeOf(i: number): number {
    return this.meta[i] >>> FLAG_BITS;
  }

  setMeta(i: number, flags: number, size: number): void {
    this.meta[i] = ((size > MAX_SIZE ? MAX_SIZE : size) << FLAG_BITS) | flags;
  }

  setFlags(i: number, flags: number): void {
    this.meta[i] = (this.meta[i] & ~FLAG_MASK) | flags;
  }

  private grow(capacity: number): void {
    const ts = new Float64Array(capacity);
    ts.set(this.timestamps);
    this.timestamps = ts;
    const meta = new Uint32Array(capacity);
    meta.set(this.meta);
    this.meta = meta;
  }

  /** Drops the unused capacity of the typed columns (a bucket that stopped growing). */
  trim(): void {
    const n = this.values.length;
    if (this.timestamps.length > n) {
      this.timestamps = this.timestamps.slice(0, Math.max(1, n));
      this.meta = this.meta.slice(0, Math.max(1, n));
    }
  }
}

/**
 * The open windows of a by-window store ordered by start, with the last one looked up remembered
 * (consecutive records of a time-ordered stream hit the same window).
 */
export class BucketList<K, V> {
  private readonly byStart = new Map<number, WindowBucket<K, V>>();
  /** Starts in ascending order. */
  readonly starts: number[] = [];
  private lastStart = NaN;
  private last: WindowBucket<K, V> | undefined = undefined;

  get(start: number): WindowBucket<K, V> | undefined {
    if (start === this.lastStart) return this.last;
    const b = this.byStart.get(start);
    if (b !== undefined) {
      this.lastStart = start;
      this.last = b;
    }
    return b;
  }

  create(start: number, end: number): WindowBucket<K, V> {
    const b = new WindowBucket<K, V>(start, end);
    this.byStart.set(start, b);
    const s = this.starts;
    if (s.length === 0 || s[s.length - 1] < start) s.push(start);
    else s.splice(lowerBound(s, start), 0, start);
    this.lastStart = start;
    this.last = b;
    return b;
  }

  /** The oldest bucket, or undefined. */
  first(): WindowBucket<K, V> | undefined {
    return this.starts.length === 0 ? undefined : this.byStart.get(this.starts[0]);
  }

  removeFirst(): void {
    const start = this.starts.shift()!;
    this.byStart.delete(start);
    if (start === this.lastStart) {
      this.lastStart = NaN;
      this.last = undefined;
    }
  }

  /** Buckets with from <= start <= to, oldest first. */
  *between(from: number, to: number): IterableIterator<WindowBucket<K, V>> {
    for (let i = lowerBound(this.starts, from); i < this.starts.length && this.starts[i] <= to; i++) yield this.byStart.get(this.starts[i])!;
  }

  all(): IterableIterator<WindowBucket<K, V>> {
    return this.between(-Infinity, Infinity);
  }

  clear(): void {
    this.byStart.clear();
    this.starts.length = 0;
    this.lastStart = NaN;
    this.last = undefined;
  }
}

/**
 * The live windows of `buckets` (oldest first), each bucket's in serialized-key order (latin1 ids
 * compare like the bytes; `bytesOf` gives a primitive key's) as interactive queries list them.
 */
export function bucketEntries<K, V>(buckets: Iterable<WindowBucket<K, V>>, bytesOf: (key: K) => string): KeyValueEntry<Windowed<K>, V>[] {
  const out: KeyValueEntry<Windowed<K>, V>[] = [];
  for (const b of buckets) {
    const rows: [string, KeyValueEntry<Windowed<K>, V>][] = [];
    for (const [id, i] of b.index) {
      const v = b.values[i];
      if (v === undefined) continue;
      const key = b.keyAt(i, id);
      rows.push([typeof id === 'string' && !isPrimitiveKey(key) ? id : bytesOf(key), { key: { key, start: b.start, end: b.end }, value: v }]);
    }
    rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const r of rows) out.push(r[1]);
  }
  return out;
}
