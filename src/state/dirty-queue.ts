/**
 * The eviction order of a by-window store's record cache: dirty (bucket, slot) pairs in the order
 * they became dirty, with a second chance for slots updated again since (a CLOCK approximation of
 * Kafka's least-recently-used ThreadCache, without moving an entry on every update). Three
 * parallel arrays and a head index: pushing and popping allocate nothing per entry.
 */
import type { WindowBucket } from './window-bucket.js';

export class DirtyQueue<K, V> {
  private buckets: WindowBucket<K, V>[] = [];
  private keys: K[] = [];
  private slots: number[] = [];
  private head = 0;

  get length(): number {
    return this.slots.length - this.head;
  }

  push(bucket: WindowBucket<K, V>, key: K, slot: number): void {
    this.buckets.push(bucket);
    this.keys.push(key);
    this.slots.push(slot);
  }

  /** The oldest entry's parts (valid until the next shift()); call only when length > 0. */
  peekBucket(): WindowBucket<K, V> {
    return this.buckets[this.head];
  }

  peekKey(): K {
    return this.keys[this.head];
  }

  peekSlot(): number {
    return this.slots[this.head];
  }

  shift(): void {
    this.buckets[this.head] = undefined as unknown as WindowBucket<K, V>;
    this.keys[this.head] = undefined as unknown as K;
    this.head++;
    if (this.head === this.slots.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.buckets = this.buckets.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.buckets = [];
    this.keys = [];
    this.slots = [];
    this.head = 0;
  }
}
