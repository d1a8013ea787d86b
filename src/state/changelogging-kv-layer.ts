import type { KeyValueEngine } from './kv-engine.js';
import { encodeStoredValue } from './kv-value-codec.js';
import type { StoreContext } from './store-types.js';

/**
 * Change-logging layer: every write that reaches the engine is also appended to the store's
 * changelog (`ctx.logChange`, partition = task partition), with a null value for a delete
 * (a tombstone, which compaction eventually removes). Restoration writes bypass it.
 *
 * The engine keeps each value with its timestamp (`kv-value-codec.ts`); the changelog record
 * carries the plain value bytes and that timestamp as its own (Kafka Streams' timestamped store),
 * so restore() rebuilds the same stored value from the record.
 */
export class ChangeLoggingLayer {
  private ctx: StoreContext | undefined;

  constructor(
    readonly engine: KeyValueEngine,
    private readonly logging: boolean,
  ) {}

  bind(ctx: StoreContext): void {
    this.ctx = this.logging && ctx.changelogTopic !== undefined ? ctx : undefined;
  }

  get logs(): boolean {
    return this.ctx !== undefined;
  }

  /** value: the value serde's bytes (null deletes); timestamp: the value's (the update's) timestamp. */
  put(id: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.engine.put(id, key, encodeStoredValue(value, timestamp));
    if (this.ctx !== undefined) this.ctx.logChange(key, value, timestamp);
  }

  /** A changelog record: its value bytes and its timestamp. */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.engine.restore(key, encodeStoredValue(value, timestamp));
  }
}
