import { sortedEntries, type KeyValueEngine } from './kv-engine.js';
import { engineKeyId, type EngineKeyId } from './kv-key-id-codec.js';
import { encodeStoredValue } from './kv-value-codec.js';

const FIRST_ARENA_BYTES = 64 * 1024;
const FIRST_SLOTS = 256;
const SMALL_COPY = 64;
/** The direct table (see MemoryKeyValueEngine) may always cover ids below this (16 KB)... */
const DIRECT_FREE = 1 << 12;
/** ...and beyond it, as many entries per held key as a Map entry costs in words, about. */
const DIRECT_PER_KEY = 8;

/**
 * In-memory engine (Kafka Streams' InMemoryKeyValueStore under a timestamped store). Each key id
 * (kv-key-id-codec.ts) has a slot. The ids of Long keys holding 0 .. 2^30-1 find theirs in a
 * direct table (an Int32Array indexed by the id, holding slot + 1) while the keys held are dense
 * enough for it to cost no more than a Map: ids of one table (auction, order, user numbers) tend
 * to be, and a Map of 100K+ numbers costs a couple of cache misses per lookup and a rehash per
 * doubling, where the table reads one int near the last ones. Other ids are in a Map. A slot holds where its value's bytes sit in the arena (one large buffer the values are appended
 * to) and, in typed arrays, their length and the value's timestamp. A held
 * value thus costs a Map entry and its bytes, with no object per value for the garbage collector
 * to copy and trace: the buffer a write brings (the one the changelog record carries) dies young.
 * Overwritten and deleted bytes stay in the arena until it fills; then it is copied into one
 * twice as large, or, when less than half of it is live, the live values move to a new one. Bytes
 * are never rewritten in place, so a view peekValue() returned stays valid. State lives until
 * close().
 */
export class MemoryKeyValueEngine implements KeyValueEngine {
  readonly needsPrefetch = false;
  /** Slots of the ids not in `direct`. */
  private readonly slots = new Map<EngineKeyId, number>();
  /** slot + 1 (0: absent) of each id 0 .. direct.length - 1. */
  private direct = new Int32Array(0);
  /** Keys held (direct and Map). */
  private size = 0;
  private free: number[] = [];
  private slotCount = 0;
  private offsets = new Int32Array(FIRST_SLOTS);
  private lengths = new Int32Array(FIRST_SLOTS);
  private timestamps = new Float64Array(FIRST_SLOTS);
  private arena = Buffer.allocUnsafeSlow(FIRST_ARENA_BYTES);
  /** Where the next value's bytes go. */
  private top = 0;
  /** Bytes of the values held (the rest below `top` is overwritten or deleted). */
  private live = 0;
  /** The key peekValue() last found and its slot (peekTimestamp() for it needs no second lookup). */
  private peekedId: EngineKeyId | undefined;
  private peekedSlot = -1;

  async open(): Promise<void> {}

  /** The id's slot, or -1. */
  private slotOf(id: EngineKeyId): number {
    if (typeof id === 'number' && id >= 0 && id < this.direct.length) return this.direct[id] - 1;
    const slot = this.slots.get(id);
    return slot === undefined ? -1 : slot;
  }

  private setSlot(id: EngineKeyId, slot: number): void {
    this.size++;
    if (typeof id === 'number' && id >= 0 && (id < this.direct.length || this.growDirect(id))) this.direct[id] = slot + 1;
    else this.slots.set(id, slot);
  }

  private deleteSlot(id: EngineKeyId): void {
    this.size--;
    if (typeof id === 'number' && id >= 0 && id < this.direct.length) this.direct[id] = 0;
    else this.slots.delete(id);
  }

  /** Grows the direct table to cover `id` if it stays dense enough; moves the ids it then covers
   * out of the Map. */
  private growDirect(id: number): boolean {
    let n = this.direct.length === 0 ? 1024 : this.direct.length;
    while (n <= id) n *= 2;
    if (n > DIRECT_FREE && n > DIRECT_PER_KEY * this.size) return false;
    const next = new Int32Array(n);
    next.set(this.direct);
    const from = this.direct.length;
    this.direct = next;
    if (this.slots.size > 0) {
      for (const [k, slot] of this.slots) {
        if (typeof k === 'number' && k >= from && k < n) {
          next[k] = slot + 1;
          this.slots.delete(k);
        }
      }
    }
    return true;
  }

  peekValue(id: EngineKeyId): Buffer | null {
    const slot = this.slotOf(id);
    if (slot < 0) return null;
    this.peekedId = id;
    this.peekedSlot = slot;
    const off = this.offsets[slot];
    return this.arena.subarray(off, off + this.lengths[slot]);
  }

  peekTimestamp(id: EngineKeyId): number {
    const slot = id === this.peekedId ? this.peekedSlot : this.slotOf(id);
    return slot < 0 ? 0 : this.timestamps[slot];
  }

  knows(): boolean {
    return true;
  }

  async load(): Promise<void> {}

  put(id: EngineKeyId, _key: Buffer, value: Buffer | null, timestamp: number): void {
    this.peekedId = undefined;
    let slot = this.slotOf(id);
    if (value === null) {
      if (slot < 0) return;
      this.deleteSlot(id);
      this.live -= this.lengths[slot];
      this.lengths[slot] = 0;
      this.free.push(slot);
      return;
    }
    if (slot < 0) {
      slot = this.free.length > 0 ? this.free.pop()! : this.newSlot();
      this.setSlot(id, slot);
    } else {
      this.live -= this.lengths[slot];
      this.lengths[slot] = 0;
    }
    const n = value.length;
    if (this.top + n > this.arena.length) this.makeRoom(n);
    this.arena.set(value, this.top);
    this.offsets[slot] = this.top;
    this.lengths[slot] = n;
    this.timestamps[slot] = timestamp;
    this.top += n;
    this.live += n;
  }

  private newSlot(): number {
    const slot = this.slotCount++;
    if (slot === this.offsets.length) {
      const size = slot * 2;
      this.offsets = grown(this.offsets, new Int32Array(size));
      this.lengths = grown(this.lengths, new Int32Array(size));
      this.timestamps = grown(this.timestamps, new Float64Array(size));
    }
    return slot;
  }

  /** A new arena with room for `n` more bytes: the bytes copied as they are while at least half
   * of them are live (a table that only grows never moves a value twice), else the live values
   * moved to its start, leaving at least half of it free. */
  private makeRoom(n: number): void {
    const { arena, top, live } = this;
    let size = arena.length;
    if (2 * live >= top) {
      while (top + n > size) size *= 2;
      this.arena = Buffer.allocUnsafeSlow(size);
      arena.copy(this.arena, 0, 0, top);
      return;
    }
    while (2 * (live + n) > size) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    const { offsets, lengths } = this;
    let at = 0;
    // Every slot in turn: a free one has length 0.
    for (let slot = 0; slot < this.slotCount; slot++) {
      const off = offsets[slot];
      const len = lengths[slot];
      // Small values byte by byte: cheaper than a native copy call each.
      if (len <= SMALL_COPY) for (let i = 0; i < len; i++) next[at + i] = arena[off + i];
      else arena.copy(next, at, off, off + len);
      offsets[slot] = at;
      at += len;
    }
    this.arena = next;
    this.top = at;
  }

  remember(): void {}

  /** Copies the record's bytes into the arena, like any write (they may be a view of a fetched batch). */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.put(engineKeyId(key), key, value, timestamp);
  }

  async flush(): Promise<void> {}

  async read(key: Buffer): Promise<Buffer | undefined> {
    const slot = this.slotOf(engineKeyId(key));
    return slot < 0 ? undefined : this.storedAt(slot);
  }

  async entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]> {
    const all = new Map(this.slots);
    const direct = this.direct;
    for (let id = 0; id < direct.length; id++) if (direct[id] !== 0) all.set(id, direct[id] - 1);
    return sortedEntries(all, from, to, (slot) => this.storedAt(slot));
  }

  /** A fresh stored value (timestamp + value bytes) of a slot, for interactive queries. */
  private storedAt(slot: number): Buffer {
    const off = this.offsets[slot];
    return encodeStoredValue(this.arena.subarray(off, off + this.lengths[slot]), this.timestamps[slot])!;
  }

  async count(): Promise<number> {
    return this.size;
  }

  async close(): Promise<void> {
    this.clear();
  }

  async destroy(): Promise<void> {
    this.clear();
  }

  private clear(): void {
    this.peekedId = undefined;
    this.slots.clear();
    this.direct = new Int32Array(0);
    this.size = 0;
    this.free = [];
    this.slotCount = 0;
    this.offsets = new Int32Array(FIRST_SLOTS);
    this.lengths = new Int32Array(FIRST_SLOTS);
    this.timestamps = new Float64Array(FIRST_SLOTS);
    this.arena = Buffer.allocUnsafeSlow(FIRST_ARENA_BYTES);
    this.top = 0;
    this.live = 0;
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
