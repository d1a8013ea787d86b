/**
 * The key-value record cache's index of its entries by key id (kv-cache-base.ts). Integer ids
 * (numeric keys: auction, order, user numbers) go to a ring, an array indexed by the id's low
 * bits whose slot holds the entry (checked by its id), kept at least twice as large as the
 * entries it holds; an id whose slot is taken, and every other id, goes to a Map. Ids of one
 * table tend to be dense and to move forward, so a window of them lands in the ring without
 * collisions, next to each other: a lookup reads one array slot near the last ones and the entry
 * it reads anyway, where a Map of 40K numbers costs a hash and a couple of cache misses, and a
 * cache evicting one entry per insert rebuilds the Map's table (megabytes promoted to the old
 * generation, which drives major GCs) every few tens of thousands of inserts.
 */
import type { KeyId } from './key-codec.js';

const FIRST_RING = 1024;

export interface IndexedEntry {
  readonly id: KeyId;
  /** Creation order (values() returns entries in it, as a Map would). */
  seq: number;
}

export class CacheIndex<E extends IndexedEntry> {
  private ring: (E | undefined)[] = new Array<E | undefined>(FIRST_RING).fill(undefined);
  /** The id of each ring slot's entry (stale where the slot is empty), so finding an id or growing
   * the ring reads no other entry (most of them are cold). */
  private ringIds = new Int32Array(FIRST_RING);
  private mask = FIRST_RING - 1;
  private inRing = 0;
  private readonly others = new Map<KeyId, E>();

  get size(): number {
    return this.inRing + this.others.size;
  }

  get(id: KeyId): E | undefined {
    if (typeof id === 'number' && (id | 0) === id) {
      // The id array first: a miss then reads no entry (the slot's may be an old, cold one).
      const i = id & this.mask;
      if (this.ringIds[i] === id) {
        const e = this.ring[i];
        if (e !== undefined) return e;
      }
      if (this.others.size === 0) return undefined;
    }
    return this.others.get(id);
  }

  has(id: KeyId): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds an entry whose id is not indexed yet. */
  add(e: E): void {
    const id = e.id;
    if (typeof id === 'number' && (id | 0) === id) {
      if (2 * this.inRing >= this.ring.length) this.grow();
      const i = id & this.mask;
      if (this.ring[i] === undefined) {
        this.ring[i] = e;
        this.ringIds[i] = id;
        this.inRing++;
        return;
      }
    }
    this.others.set(id, e);
  }

  /** Removes an indexed entry. */
  delete(e: E): void {
    const id = e.id;
    if (typeof id === 'number' && (id | 0) === id) {
      const i = id & this.mask;
      if (this.ring[i] === e) {
        this.ring[i] = undefined;
        this.inRing--;
        return;
      }
    }
    this.others.delete(id);
  }

  /** Every entry, in creation order. */
  values(): E[] {
    const out: E[] = [];
    for (const e of this.ring) if (e !== undefined) out.push(e);
    for (const e of this.others.values()) out.push(e);
    return inSeqOrder(out);
  }

  /** The entries `pick` accepts, in creation order. */
  filter(pick: (e: E) => boolean): E[] {
    const out: E[] = [];
    for (const e of this.ring) if (e !== undefined && pick(e)) out.push(e);
    for (const e of this.others.values()) if (pick(e)) out.push(e);
    return inSeqOrder(out);
  }

  clear(): void {
    this.ring = new Array<E | undefined>(FIRST_RING).fill(undefined);
    this.ringIds = new Int32Array(FIRST_RING);
    this.mask = FIRST_RING - 1;
    this.inRing = 0;
    this.others.clear();
  }

  /** Doubles the ring; entries keep their slot's low bits, so none collide that did not before. */
  private grow(): void {
    const old = this.ring;
    const oldIds = this.ringIds;
    const n = old.length * 2;
    const ring = new Array<E | undefined>(n).fill(undefined);
    const ids = new Int32Array(n);
    const mask = n - 1;
    for (let i = 0; i < old.length; i++) {
      const e = old[i];
      if (e === undefined) continue;
      const j = oldIds[i] & mask;
      ring[j] = e;
      ids[j] = oldIds[i];
    }
    this.ring = ring;
    this.ringIds = ids;
    this.mask = mask;
  }
}

const bySeq = (a: IndexedEntry, b: IndexedEntry): number => a.seq - b.seq;

function inSeqOrder<E extends IndexedEntry>(es: E[]): E[] {
  for (let i = 1; i < es.length; i++) if (es[i - 1].seq > es[i].seq) return es.sort(bySeq);
  return es;
}
