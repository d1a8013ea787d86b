import type { KeyValueEngine } from './kv-engine.js';
import type { StoreContext } from './store-types.js';

/**
 * Change-logging layer: every write that reaches the engine is also appended to the store's
 * changelog (`ctx.logChange`, partition = task partition), with a null value for a delete
 * (a tombstone, which compaction eventually removes). Restoration writes bypass it.
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

  put(id: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.engine.put(id, key, value);
    if (this.ctx !== undefined) this.ctx.logChange(key, value, timestamp);
  }

  restore(key: Buffer, value: Buffer | null): void {
    this.engine.restore(key, value);
  }
}
