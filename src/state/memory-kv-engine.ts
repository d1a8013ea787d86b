import { sortedEntries, type KeyValueEngine } from './kv-engine.js';
import { engineKeyId, type EngineKeyId } from './kv-key-id-codec.js';
import { encodeStoredValue } from './kv-value-codec.js';

const FIRST_ARENA_BYTES = 64 * 1024;
const FIRST_SLOTS = 256;
const SMALL_COPY = 64;

/**
 * In-memory engine (Kafka Streams' InMemoryKeyValueStore under a timestamped store). A Map takes
 * each key id (a small integer for most Long and Integer keys, kv-key-id-codec.ts) to a slot; a
 * slot holds where its value's bytes sit in the arena (one large buffer the values are appended
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
  private readonly slots = new Map<EngineKeyId, number>();
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

  peekValue(id: EngineKeyId): Buffer | null {
    const slot = this.slots.get(id);
    if (slot === undefined) return null;
    this.peekedId = id;
    this.peekedSlot = slot;
    const off = this.offsets[slot];
    return this.arena.subarray(off, off + this.lengths[slot]);
  }

  peekTimestamp(id: EngineKeyId): number {
    const slot = id === this.peekedId ? this.peekedSlot : this.slots.get(id);
    return slot === undefined ? 0 : this.timestamps[slot];
  }

  knows(): boolean {
    return true;
  }

  async load(): Promise<void> {}

  put(id: EngineKeyId, _key: Buffer, value: Buffer | null, timestamp: number): void {
    this.peekedId = undefined;
    let slot = this.slots.get(id);
    if (value === null) {
      if (slot === undefined) return;
      this.slots.delete(id);
      this.live -= this.lengths[slot];
      this.lengths[slot] = 0;
      this.free.push(slot);
      return;
    }
    if (slot === undefined) {
      slot = this.free.length > 0 ? this.free.pop()! : this.newSlot();
      this.slots.set(id, slot);
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
    for (const slot of this.slots.values()) {
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
    const slot = this.slots.get(engineKeyId(key));
    return slot === undefined ? undefined : this.storedAt(slot);
  }

  async entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]> {
    return sortedEntries(this.slots, from, to, (slot) => this.storedAt(slot));
  }

  /** A fresh stored value (timestamp + value bytes) of a slot, for interactive queries. */
  private storedAt(slot: number): Buffer {
    const off = this.offsets[slot];
    return encodeStoredValue(this.arena.subarray(off, off + this.lengths[slot]), this.timestamps[slot])!;
  }

  async count(): Promise<number> {
    return this.slots.size;
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
