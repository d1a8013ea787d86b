import type { CacheFlushListener, StoreContext, StoreLifecycle, Windowed } from './store-types.js';
import type { TimedStoreCore } from './timed-store-core.js';

/**
 * What window and session stores share: lifecycle, expiry, flushing and restoration all go to their
 * TimedStoreCore; the subclasses add their own lookups and key layout.
 */
export abstract class TimedStoreBase<K, V> implements StoreLifecycle {
  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly retentionMs: number,
    readonly core: TimedStoreCore<K, V>,
  ) {}

  open(ctx: StoreContext): Promise<void> {
    return this.core.open(ctx);
  }

  expire(streamTime: number): void {
    this.core.expire(streamTime);
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void {
    this.core.setFlushListener(listener, sendOldValues);
  }

  flush(): Promise<void> {
    return this.core.flush();
  }

  restore(key: Buffer, value: Buffer | null): void {
    this.core.restore(key, value);
  }

  restoreBatchDone(): Promise<void> {
    return this.core.restoreBatchDone();
  }

  restoreDone(): Promise<void> {
    return this.core.restoreBatchDone();
  }

  close(): Promise<void> {
    return this.core.close();
  }

  destroy(): Promise<void> {
    return this.core.destroy();
  }
}
