import { combinedKey, splitCombinedKey, type SubscriptionEntry } from '../../graph/foreign-key-wrapper.js';
import type { KeyValueStore } from '../../state/store-types.js';

/** One subscription: the left key (serialized), the hash it subscribed with and where to answer. */
export interface Subscriber {
  readonly leftKey: Buffer;
  readonly hash: Buffer | null;
  readonly partition: number;
}

/**
 * The foreign-key join's subscription store with an in-memory index by foreign key, so the
 * prefix scan "every subscription to foreign key F" stays synchronous on the processing path.
 *
 * The store (in memory, changelogged under (foreign key, left key)) is the durable truth; the
 * index is derived from it. A task's store is restored from its changelog before the task's
 * operators start; the index then loads the store's entries once (the read-only view resolves on
 * the next microtask, long before the task's first record). Updates made before that load finish
 * win over the loaded entries (`touched`), so the result is the same whenever it completes.
 * Both operators of one task that use the store (subscription receive and foreign table join)
 * share one index through `indexOf`.
 */
export class SubscriptionIndex {
  private readonly byForeignKey = new Map<string, Map<string, Subscriber>>();
  private touched: Set<string> | undefined = new Set();

  constructor(private readonly store: KeyValueStore<unknown, unknown>) {
    void store
      .readOnly()
      .all()
      .then((entries) => {
        const touched = this.touched!;
        this.touched = undefined;
        for (const e of entries) {
          const ck = e.key as Buffer;
          const id = ck.toString('latin1');
          if (touched.has(id)) continue;
          const { foreignKey, leftKey } = splitCombinedKey(ck);
          const v = e.value as SubscriptionEntry;
          this.add(foreignKey.toString('latin1'), leftKey.toString('latin1'), { leftKey: Buffer.from(leftKey), hash: v.hash, partition: v.partition });
        }
      })
      .catch(() => (this.touched = undefined));
  }

  subscribe(foreignKey: Buffer, leftKey: Buffer, hash: Buffer | null, partition: number, timestamp: number): void {
    const ck = combinedKey(foreignKey, leftKey);
    this.store.put(ck, { hash, partition } satisfies SubscriptionEntry, timestamp);
    this.touched?.add(ck.toString('latin1'));
    this.add(foreignKey.toString('latin1'), leftKey.toString('latin1'), { leftKey, hash, partition });
  }

  unsubscribe(foreignKey: Buffer, leftKey: Buffer, timestamp: number): void {
    const ck = combinedKey(foreignKey, leftKey);
    const fid = foreignKey.toString('latin1');
    const subs = this.byForeignKey.get(fid);
    const lid = leftKey.toString('latin1');
    this.touched?.add(ck.toString('latin1'));
    if (subs !== undefined) {
      subs.delete(lid);
      if (subs.size === 0) this.byForeignKey.delete(fid);
    }
    if (this.store.get(ck) !== undefined) this.store.delete(ck, timestamp);
  }

  /** Every subscription to `foreignKey` (serialized), or undefined. Do not modify. */
  subscribersOf(foreignKey: Buffer): ReadonlyMap<string, Subscriber> | undefined {
    return this.byForeignKey.get(foreignKey.toString('latin1'));
  }

  private add(fid: string, lid: string, s: Subscriber): void {
    let subs = this.byForeignKey.get(fid);
    if (subs === undefined) this.byForeignKey.set(fid, (subs = new Map()));
    subs.set(lid, s);
  }
}

const indexes = new WeakMap<object, SubscriptionIndex>();

/** The index of a task's subscription store, created on first use. */
export function indexOf(store: KeyValueStore<unknown, unknown>): SubscriptionIndex {
  let index = indexes.get(store);
  if (index === undefined) indexes.set(store, (index = new SubscriptionIndex(store)));
  return index;
}
