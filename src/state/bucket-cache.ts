/**
 * The record cache and flush path of a by-window store (BucketedWindowStore): which windows are
 * dirty, the order they are evicted in (DirtyQueue, oldest first with a second chance), and what
 * a flush of one window sends: its changelog record, its LevelDB write and the flush listener's
 * update (new value, and the value at the previous flush as the old one).
 */
import { serializeKey, TIMESTAMP_BYTES, windowKeyBytes } from './key-codec.js';
import type { Serde } from '../graph/serde-types.js';
import { numberWindowKeyBytes, smallIdKindOf, type SmallIdKind } from './kv-key-id-codec.js';
import { approxSize } from './size-estimator.js';
import type { CacheFlushListener, StoreBuildOptions, StoreContext, Windowed } from './store-types.js';
import { DirtyQueue } from './dirty-queue.js';
import { DIRTY, PERSISTED, TOUCHED, type BucketList, type WindowBucket } from './window-bucket.js';
import type { WindowLevelMirror } from './window-level-mirror.js';

/**
 * Cache bytes a dirty window costs beyond its value: its dirty-queue entry (three array slots) and
 * the column slots of its old value, size and flags. The window itself (value, timestamp, Map entry)
 * is held whether or not it is dirty, as Kafka's cache does not count RocksDB's memory either.
 */
const DIRTY_OVERHEAD = 48;

function dirtySize(value: unknown): number {
  return approxSize(value) + DIRTY_OVERHEAD;
}

export class BucketCache<K, V> {
  private readonly queue = new DirtyQueue<K, V>();
  private dirtyBytes = 0;
  private listener: CacheFlushListener<Windowed<K>, V> | undefined;
  private sendOldValues = false;
  /** Where flushes go; set by attach() when the store opens. */
  private topic = '';
  private logTo: StoreContext | undefined;
  private mirror: WindowLevelMirror | undefined;
  /** Whether keys use the built-in Long/Int serde, whose small keys flushSlot() writes itself. */
  private readonly smallIds: SmallIdKind;

  constructor(private readonly opts: StoreBuildOptions<K, V>) {
    this.smallIds = smallIdKindOf(opts.keySerde as Serde<unknown>);
  }

  attach(topic: string, logTo: StoreContext | undefined, mirror: WindowLevelMirror | undefined): void {
    this.topic = topic;
    this.logTo = logTo;
    this.mirror = mirror;
  }

  /** With sendOldValues false no old value is kept while a window is dirty (nor passed on). */
  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  get hasDirty(): boolean {
    return this.queue.length > 0;
  }

  /** Sets slot i's value and timestamp: marks it dirty (queued for eviction) or, without caching,
   * flushes it with `vb`, its value serialized beforehand (so a serde error changed nothing). */
  write(b: WindowBucket<K, V>, i: number, key: K, v: V | undefined, ts: number, vb: Buffer | null): void {
    b.timestamps[i] = ts;
    this.writeValue(b, i, key, v, vb);
  }

  /** write() of a slot whose new timestamp the caller has already set. */
  writeValue(b: WindowBucket<K, V>, i: number, key: K, v: V | undefined, vb: Buffer | null): void {
    const m = b.meta[i];
    if (this.opts.cacheMaxBytes === 0) {
      if (this.sendOldValues) b.olds[i] = (m & PERSISTED) !== 0 ? b.values[i] : undefined;
      b.values[i] = v;
      this.flushSlot(b, i, key, vb);
      return;
    }
    if ((m & DIRTY) !== 0) {
      b.values[i] = v;
      b.meta[i] = m | TOUCHED;
      return;
    }
    if (this.sendOldValues) b.olds[i] = (m & PERSISTED) !== 0 ? b.values[i] : undefined;
    b.values[i] = v;
    const size = dirtySize(v);
    b.setMeta(i, (m & PERSISTED) | DIRTY, size);
    b.dirtyCount++;
    this.dirtyBytes += size;
    this.queue.push(b, key, i);
    if (this.dirtyBytes > this.opts.cacheMaxBytes) this.evict();
  }

  /** Flushes the oldest dirty windows until the cache fits its budget (second chance for updated ones). */
  private evict(): void {
    const q = this.queue;
    while (this.dirtyBytes > this.opts.cacheMaxBytes && q.length > 0) {
      const b = q.peekBucket();
      const key = q.peekKey();
      const i = q.peekSlot();
      q.shift();
      if (b.expired) continue;
      const m = b.meta[i];
      if ((m & DIRTY) === 0) continue;
      if ((m & TOUCHED) !== 0) {
        const size = dirtySize(b.values[i]);
        this.dirtyBytes += size - b.sizeOf(i);
        b.setMeta(i, m & (DIRTY | PERSISTED), size);
        q.push(b, key, i);
        continue;
      }
      this.flushSlot(b, i, key);
    }
  }

  /** Logs, mirrors and forwards slot i's current value; a serde error leaves it as it was. */
  private flushSlot(b: WindowBucket<K, V>, i: number, key: K, valueBytes?: Buffer | null): void {
    const m = b.meta[i];
    const v = b.values[i];
    if (v === undefined && (m & PERSISTED) === 0) {
      this.undirty(b, i);
      b.setMeta(i, 0, 0);
      return;
    }
    const vb = valueBytes !== undefined ? valueBytes : v === undefined ? null : this.opts.valueSerde.serialize(this.topic, v);
    // A small Long/Int key's window key is written in one go; any other key goes through its serde.
    const wkb = numberWindowKeyBytes(this.smallIds, key, b.start);
    const kb = wkb === undefined ? serializeKey(this.opts.keySerde, this.topic, key, this.opts.name) : undefined;
    this.undirty(b, i);
    const old = b.olds[i];
    b.olds[i] = undefined;
    b.setMeta(i, v === undefined ? 0 : PERSISTED, 0);
    const ts = b.timestamps[i];
    if (this.logTo !== undefined) this.logTo.logChange(wkb ?? windowKeyBytes(kb!, b.start), vb, ts);
    if (this.mirror !== undefined) this.mirror.put(b.start, kb ?? wkb!.subarray(0, wkb!.length - TIMESTAMP_BYTES), vb);
    if (this.listener !== undefined) this.listener({ key, start: b.start, end: b.end }, v, this.sendOldValues ? old : undefined, ts);
  }

  /** Takes slot i out of the dirty accounting (its queue entry, if any, is skipped later). */
  undirty(b: WindowBucket<K, V>, i: number): void {
    if ((b.meta[i] & DIRTY) === 0) return;
    this.dirtyBytes -= b.sizeOf(i);
    b.dirtyCount--;
  }

  /** Flushes a bucket's dirty windows. */
  flushBucket(b: WindowBucket<K, V>): void {
    // Slots are numbered in the order keys arrived; the Map's own iteration order is the same,
    // and iterating its keys and values separately allocates no [key, slot] pair per entry.
    let i = 0;
    for (const id of b.index.keys()) {
      if (b.dirtyCount === 0) return;
      if ((b.meta[i] & DIRTY) !== 0) this.flushSlot(b, i, b.keyAt(i, id));
      i++;
    }
  }

  /** Flushes every dirty window, by window start, then the order keys arrived in the window. */
  flushAll(buckets: BucketList<K, V>): void {
    if (this.queue.length === 0) return;
    for (const b of buckets.all()) if (b.dirtyCount > 0) this.flushBucket(b);
    this.queue.clear();
  }

  reset(): void {
    this.queue.clear();
    this.dirtyBytes = 0;
  }
}
