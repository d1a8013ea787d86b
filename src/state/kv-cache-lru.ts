/**
 * Entries of the key-value store's record cache and their least-recently-used order (Kafka
 * Streams' NamedCache): a doubly linked list through the entries, so a read or update moves its
 * entry with a few pointer writes, not a Map delete + set.
 */
import type { KeyId } from './key-codec.js';
import { hasSmallIntId } from './kv-key-id-codec.js';

/** What the engine held for a key at the last flush: unknown (not looked up yet, or not loaded),
 * absent, value bytes (looked up, not deserialized), or typed (the value flushed or loaded). */
export const Flushed = { Unknown: 0, Absent: 1, Bytes: 2, Typed: 3 } as const;
export type FlushedState = (typeof Flushed)[keyof typeof Flushed];

export interface CacheEntry<K, V> {
  key: K;
  /** The entry's key in the cache index (kv-cache-index.ts): the key itself when primitive,
   * else its bytes' id (latin1, so the bytes can be rebuilt from it). */
  id: KeyId;
  /** The serialized key, kept unless it is a small Long or Integer (kv-key-id-codec.ts): those
   * are only written when a flush needs their bytes, which is cheaper than keeping them (a kept
   * buffer is a cache miss away at eviction, and one more object on the heap per entry). */
  keyBytes: Buffer | undefined;
  /** Current value; undefined = deleted. */
  value: V | undefined;
  /** The value's timestamp (its update's, or the engine's when loaded clean). */
  timestamp: number;
  dirty: boolean;
  flushedState: FlushedState;
  /** Flushed.Bytes: the value bytes; Flushed.Typed: the value; else undefined. */
  flushed: Buffer | V | undefined;
  /** Approximate heap bytes (size-estimator.ts), counted against the cache budget. */
  size: number;
  /** Creation order (the order flush() goes through dirty entries in, kv-cache-index.ts). */
  seq: number;
  /** Neighbours in the LRU list (prev: less recently used); both null when not listed. */
  prev: CacheEntry<K, V> | null;
  next: CacheEntry<K, V> | null;
}

const SPARE_ENTRIES = 64;

/**
 * Where the cache gets its entries. Evicted ones are reused (a full cache evicts about one entry
 * per new one), so a cache that churns allocates none and leaves no dead entries in the old
 * generation. New ones are built by an object literal on purpose: V8 tracks the survival of
 * objects per literal site and, seeing that most entries outlive a young-generation collection,
 * allocates later ones directly in the old generation (pretenuring), so scavenges do not copy
 * each new entry twice; class instances are not tracked that way (with them, copying new entries
 * was most of the join benchmark's scavenge time).
 */
export class CacheEntries<K, V> {
  private readonly spare: CacheEntry<K, V>[] = [];
  private seq = 0;

  /** keyBytes: undefined when the key has a small-integer id (see CacheEntry.keyBytes). */
  take(key: K, id: KeyId, keyBytes: Buffer | undefined, value: V | undefined, timestamp: number, dirty: boolean, flushedState: FlushedState, flushed: Buffer | V | undefined): CacheEntry<K, V> {
    const kept = keyBytes === undefined || hasSmallIntId(keyBytes) ? undefined : keyBytes;
    const e = this.spare.pop();
    const seq = this.seq++;
    if (e === undefined) return { key, id, keyBytes: kept, value, timestamp, dirty, flushedState, flushed, size: 0, seq, prev: null, next: null };
    e.key = key;
    e.id = id;
    e.keyBytes = kept;
    e.value = value;
    e.timestamp = timestamp;
    e.dirty = dirty;
    e.flushedState = flushedState;
    e.flushed = flushed;
    e.size = 0;
    e.seq = seq;
    return e;
  }

  /** An entry out of the cache that nothing else refers to any more. */
  give(e: CacheEntry<K, V>): void {
    if (this.spare.length === SPARE_ENTRIES) return;
    e.key = undefined as K;
    e.keyBytes = e.value = e.flushed = undefined;
    this.spare.push(e);
  }

  clear(): void {
    this.spare.length = 0;
  }
}

/** The LRU order of the cache's entries: least recently used at the head. */
export class LruList<K, V> {
  head: CacheEntry<K, V> | null = null;
  tail: CacheEntry<K, V> | null = null;

  /** Whether `e` is in the list (every cached entry is). */
  has(e: CacheEntry<K, V>): boolean {
    return e.prev !== null || this.head === e;
  }

  append(e: CacheEntry<K, V>): void {
    const tail = this.tail;
    e.prev = tail;
    e.next = null;
    if (tail === null) this.head = e;
    else tail.next = e;
    this.tail = e;
  }

  unlink(e: CacheEntry<K, V>): void {
    const prev = e.prev;
    const next = e.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    e.prev = e.next = null;
  }

  /** Moves `e` (listed) to the most recently used end: unlink() and append() in one, writing each
   * link once (a join reads, and so touches, an entry per stream record). */
  touch(e: CacheEntry<K, V>): void {
    const tail = this.tail!;
    if (e === tail) return;
    const prev = e.prev;
    const next = e.next!; // not the tail, so it has one
    if (prev === null) this.head = next;
    else prev.next = next;
    next.prev = prev;
    e.prev = tail;
    e.next = null;
    tail.next = e;
    this.tail = e;
  }

  clear(): void {
    this.head = this.tail = null;
  }
}
