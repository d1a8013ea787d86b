/**
 * Memory layout of a join buffer (join-buffer-store.ts): one log of records in arrival order. A
 * record is a slot of a ring of typed arrays (timestamp, where its value bytes sit in the arena,
 * their length, the distance to the next record of the same key) and its value bytes, appended to
 * one shared arena; each key holds only the sequence numbers of its first and last records.
 * A buffered record thus costs no heap object and no JS array slot: records live for the join's
 * whole retention (many thousands of records), so per-record objects would all be promoted and
 * then die in old space, while the buffer the value serde returns (the one the changelog record
 * carries) now dies young. Expiry frees records from the head of the log, in arrival order.
 *
 * The arena is a list of fixed-size chunks (a larger value gets a chunk of its own), each dropped
 * once the log's head has passed it: bytes are written once and never moved. A chunk no view was
 * ever taken of (valueAt) is reused; one that was is not, so a view handed to a value serde stays
 * valid whatever the serde keeps of it. Buffers allocated outside the JS heap are what starts
 * V8's full collections here (each marks the whole heap), so the arena allocates as few as it can:
 * a buffer mostly appended to and rarely probed (one side of a join often is) hands out copies
 * and reuses its chunks.
 * Offsets are logical: chunk k holds offsets [k * CHUNK_BYTES, ...).
 */
import type { KeyId } from './key-codec.js';

const FIRST_SLOTS = 1024;
const CHUNK_BYTES = 64 * 1024;
/** Chunks kept for reuse: enough for the head to pass a few while the tail fills one. */
const MAX_FREE_CHUNKS = 4;
/**
 * valueAt() hands out copies while reads are fewer than 1 per this many appends: one view pins
 * its whole chunk, so a buffer mostly appended to keeps its chunks reusable that way; a buffer
 * read about as often as written gets views (no copy), its chunks dropped as the head passes.
 */
const READS_PER_APPEND_FOR_VIEWS = 8;

/** One key's records: a chain through the log in arrival order (-1: none). */
export class KeyChain<K> {
  first = -1;
  last = -1;
  constructor(
    readonly id: KeyId,
    readonly key: K,
    readonly keyBytes: Buffer,
  ) {}
}

export class JoinBufferLog<K> {
  private mask = FIRST_SLOTS - 1;
  private ts = new Float64Array(FIRST_SLOTS);
  private offs = new Float64Array(FIRST_SLOTS);
  private lens = new Int32Array(FIRST_SLOTS);
  /** Sequence distance to the key's next record (0: none). */
  private next = new Int32Array(FIRST_SLOTS);
  private keys: (KeyChain<K> | undefined)[] = new Array<KeyChain<K> | undefined>(FIRST_SLOTS).fill(undefined);
  /** Sequence numbers of the oldest record held and of the next one. */
  private head = 0;
  private tail = 0;
  /** chunks[i] holds chunk number chunkBase + i (a value larger than a chunk spans several numbers, all naming its buffer), starting at offset chunkStarts[i]. */
  private chunks: Buffer[] = [];
  private chunkStarts: number[] = [];
  /** Whether a view of chunks[i] was handed out (then it is never reused). */
  private chunkViewed: boolean[] = [];
  private freeChunks: Buffer[] = [];
  /** valueAt() calls (appends are counted by tail). */
  private reads = 0;
  /** The view valueAt() handed out for each slot's record, if any: later reads return it again. */
  private views: (Buffer | undefined)[] = new Array<Buffer | undefined>(FIRST_SLOTS).fill(undefined);
  private chunkBase = 0;
  /** The chunk written to, its logical start, and how many of its bytes are used. */
  private cur: Buffer = Buffer.alloc(0);
  private curStart = 0;
  private curUsed = 0;

  constructor(private readonly byId: Map<KeyId, KeyChain<K>>) {}

  /** Appends (ts, a copy of value) to the log and to its key's chain. */
  append(e: KeyChain<K>, ts: number, value: Buffer): void {
    if (this.tail - this.head > this.mask) this.grow();
    const n = value.length;
    if (this.curUsed + n > this.cur.length) this.newChunk(n);
    const off = this.curStart + this.curUsed;
    // TypedArray set: V8's fast path for same-type arrays, cheaper than a loop or Buffer.copy.
    this.cur.set(value, this.curUsed);
    this.curUsed += n;
    const s = this.tail++;
    const i = s & this.mask;
    this.ts[i] = ts;
    this.offs[i] = off;
    this.lens[i] = n;
    this.next[i] = 0;
    this.keys[i] = e;
    this.views[i] = undefined;
    if (e.last < 0) e.first = s;
    else this.next[e.last & this.mask] = s - e.last;
    e.last = s;
  }

  /**
   * Writes e's records with from <= timestamp <= to to outTs/outSlots from index 0 on, by
   * timestamp (arrival order among equal ones); returns how many. A slot names its record until
   * the next append or sweep (valueAt).
   */
  fetchInto(e: KeyChain<K>, from: number, to: number, outTs: number[], outSlots: number[]): number {
    const { ts, next, mask } = this;
    let n = 0;
    let sorted = true;
    for (let s = e.first; s >= 0; ) {
      const i = s & mask;
      const t = ts[i];
      if (t >= from && t <= to) {
        if (n > 0 && outTs[n - 1] > t) sorted = false;
        outTs[n] = t;
        outSlots[n] = i;
        n++;
      }
      const d = next[i];
      s = d === 0 ? -1 : s + d;
    }
    if (!sorted) sortByTime(outTs, outSlots, n);
    return n;
  }

  /** Frees the records at the head of the log with ts < minLive (later ones stay until they are the head; reads filter them). */
  sweep(minLive: number): void {
    let h = this.head;
    const tail = this.tail;
    if (h === tail || this.ts[h & this.mask] >= minLive) return;
    const { ts, next, keys, views, mask } = this;
    for (; h < tail && ts[h & mask] < minLive; h++) {
      const i = h & mask;
      const e = keys[i]!;
      keys[i] = undefined;
      views[i] = undefined;
      // The log frees in arrival order, so h is its key's first record.
      const d = next[i];
      if (d !== 0) e.first = h + d;
      else {
        e.first = e.last = -1;
        this.byId.delete(e.id);
      }
    }
    this.head = h;
    // Chunks wholly before the head's bytes are no longer read (the current one always stays).
    const headOff = h < tail ? this.offs[h & mask] : this.curStart + this.curUsed;
    const drop = Math.min(Math.floor(headOff / CHUNK_BYTES), Math.floor(this.curStart / CHUNK_BYTES)) - this.chunkBase;
    if (drop > 0) {
      const { chunks, chunkViewed, freeChunks } = this;
      for (let k = 0; k < drop; k++) {
        if (!chunkViewed[k] && chunks[k].length === CHUNK_BYTES && freeChunks.length < MAX_FREE_CHUNKS) freeChunks.push(chunks[k]);
      }
      chunks.splice(0, drop);
      this.chunkStarts.splice(0, drop);
      chunkViewed.splice(0, drop);
      this.chunkBase += drop;
    }
  }

  /** Calls fn for each record held, in arrival order. */
  forEach(fn: (key: K, ts: number, value: Buffer) => void): void {
    for (let s = this.head; s < this.tail; s++) {
      const i = s & this.mask;
      fn(this.keys[i]!.key, this.ts[i], this.valueAt(i));
    }
  }

  clear(): void {
    this.keys.fill(undefined);
    this.views.fill(undefined);
    this.head = this.tail = this.reads = 0;
    this.chunks = [];
    this.chunkStarts = [];
    this.chunkViewed = [];
    this.freeChunks = [];
    this.cur = Buffer.alloc(0);
    this.chunkBase = this.curStart = this.curUsed = 0;
  }

  /**
   * Slot i's value bytes: a view over the arena (no copy) or, for a rarely read buffer, a copy.
   * A record's view is made once and handed to every later read of it, as Kafka's in-memory
   * stores hand the same stored byte[] to every read (the deserializer makes each match its own
   * value): a record of a buffer read often (the auctions every bid probes) is read many times.
   * Copies are not kept (each would keep its pool's 8 KB alive).
   */
  valueAt(i: number): Buffer {
    const off = this.offs[i];
    const len = this.lens[i];
    // An empty value may sit at the end of a chunk, where no chunk number names it.
    if (len === 0) return Buffer.alloc(0);
    const cached = this.views[i];
    if (cached !== undefined) return cached;
    const c = Math.floor(off / CHUNK_BYTES) - this.chunkBase;
    const chunk = this.chunks[c];
    const start = off - this.chunkStarts[c];
    const reads = ++this.reads;
    let value: Buffer;
    if (!this.chunkViewed[c] && reads * READS_PER_APPEND_FOR_VIEWS < this.tail) {
      // Rarely read: a copy (a young pool buffer) leaves the chunk free for reuse.
      value = Buffer.allocUnsafe(len);
      chunk.copy(value, 0, start, start + len);
    } else {
      this.chunkViewed[c] = true;
      // subarray: the cheapest view Node offers, measured against Buffer.from and slice.
      value = chunk.subarray(start, start + len);
      this.views[i] = value;
    }
    return value;
  }

  /** Twice the slots; each record keeps its sequence number, so chains stay valid. */
  private grow(): void {
    const size = (this.mask + 1) * 2;
    const mask = size - 1;
    const ts = new Float64Array(size);
    const offs = new Float64Array(size);
    const lens = new Int32Array(size);
    const next = new Int32Array(size);
    const keys = new Array<KeyChain<K> | undefined>(size).fill(undefined);
    const views = new Array<Buffer | undefined>(size).fill(undefined);
    for (let s = this.head; s < this.tail; s++) {
      const a = s & this.mask;
      const b = s & mask;
      ts[b] = this.ts[a];
      offs[b] = this.offs[a];
      lens[b] = this.lens[a];
      next[b] = this.next[a];
      keys[b] = this.keys[a];
      views[b] = this.views[a];
    }
    this.mask = mask;
    this.ts = ts;
    this.offs = offs;
    this.lens = lens;
    this.next = next;
    this.keys = keys;
    this.views = views;
  }

  /** Starts a chunk after the current one, large enough for n bytes. */
  private newChunk(n: number): void {
    const start = this.curStart + Math.ceil(this.cur.length / CHUNK_BYTES) * CHUNK_BYTES;
    const spans = Math.max(1, Math.ceil(n / CHUNK_BYTES));
    const chunk: Buffer = spans === 1 && this.freeChunks.length > 0 ? this.freeChunks.pop()! : Buffer.allocUnsafeSlow(spans * CHUNK_BYTES);
    if (this.chunks.length === 0) this.chunkBase = start / CHUNK_BYTES;
    for (let k = 0; k < spans; k++) {
      this.chunks.push(chunk);
      this.chunkStarts.push(start);
      this.chunkViewed.push(false);
    }
    this.cur = chunk;
    this.curStart = start;
    this.curUsed = 0;
  }
}

/** Stable insertion sort of the first n (ts, slot) pairs by ts (records arrived out of order). */
function sortByTime(ts: number[], slots: number[], n: number): void {
  for (let i = 1; i < n; i++) {
    const t = ts[i];
    const v = slots[i];
    let j = i - 1;
    for (; j >= 0 && ts[j] > t; j--) {
      ts[j + 1] = ts[j];
      slots[j + 1] = slots[j];
    }
    ts[j + 1] = t;
    slots[j + 1] = v;
  }
}
