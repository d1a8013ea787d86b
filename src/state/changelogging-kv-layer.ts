import type { KeyValueEngine } from './kv-engine.js';
import type { EngineKeyId } from './kv-key-id-codec.js';
import type { StoreContext } from './store-types.js';

/**
 * Change-logging layer: every write that reaches the engine is also appended to the store's
 * changelog (`ctx.logChange`, partition = task partition), with a null value for a delete
 * (a tombstone, which compaction eventually removes). Restoration writes bypass it.
 *
 * The engine keeps each value with its timestamp; the changelog record carries the same value
 * bytes and that timestamp as its own (Kafka Streams' timestamped store), so restore() rebuilds
 * the same value from the record. The engine and the changelog share the value buffer: neither
 * writes into it.
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
  put(id: EngineKeyId, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.engine.put(id, key, value, timestamp);
    if (this.ctx !== undefined) this.ctx.logChange(key, value, timestamp);
  }

  /** A changelog record: its value bytes and its timestamp. */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.engine.restore(key, value, timestamp);
  }
}
