import type { CacheFlushListener, KeyValueStore, ReadOnlyKeyValueStore, StoreContext, ValueAndTimestamp } from './store-types.js';

interface Counter {
  value: number;
}

const DETACHED: Counter = { value: 0 };

/**
 * Outermost layer (Kafka Streams' MeteredKeyValueStore): counts operations into the task's
 * metrics as get-total (get and getWithTimestamp), put-total, delete-total, prefetch-total, flush-total and restore-total,
 * tagged {task, store}. Counter cells are looked up once at open(), so counting costs one add.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private gets = DETACHED;
  private puts = DETACHED;
  private deletes = DETACHED;
  private prefetches = DETACHED;
  private flushes = DETACHED;
  private restores = DETACHED;

  constructor(private readonly inner: KeyValueStore<K, V>) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  async open(ctx: StoreContext): Promise<void> {
    const tags = { task: ctx.taskId, store: this.inner.name };
    this.gets = ctx.metrics.counter('get-total', tags);
    this.puts = ctx.metrics.counter('put-total', tags);
    this.deletes = ctx.metrics.counter('delete-total', tags);
    this.prefetches = ctx.metrics.counter('prefetch-total', tags);
    this.flushes = ctx.metrics.counter('flush-total', tags);
    this.restores = ctx.metrics.counter('restore-total', tags);
    await this.inner.open(ctx);
  }

  get(key: K): V | undefined {
    this.gets.value++;
    return this.inner.get(key);
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    this.gets.value++;
    return this.inner.getWithTimestamp(key);
  }

  timestampOf(key: K): number | undefined {
    return this.inner.timestampOf(key);
  }

  put(key: K, value: V, timestamp?: number): void {
    this.puts.value++;
    this.inner.put(key, value, timestamp);
  }

  delete(key: K, timestamp?: number): V | undefined {
    this.deletes.value++;
    return this.inner.delete(key, timestamp);
  }

  prefetch(keys: readonly K[]): Promise<void> | undefined {
    this.prefetches.value++;
    return this.inner.prefetch(keys);
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): void {
    this.inner.setFlushListener(listener, sendOldValues);
  }

  flush(): Promise<void> {
    this.flushes.value++;
    return this.inner.flush();
  }

  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.restores.value++;
    this.inner.restore(key, value, timestamp);
  }

  restoreBatchDone(): Promise<void> {
    return (this.inner as unknown as { restoreBatchDone(): Promise<void> }).restoreBatchDone();
  }

  restoreDone(): Promise<void> {
    return this.inner.restoreDone();
  }

  readOnly(): ReadOnlyKeyValueStore<K, V> {
    return this.inner.readOnly();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
