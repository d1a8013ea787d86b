import { sortedEntries, type KeyValueEngine } from './kv-engine.js';

/** In-memory engine: a Map of serialized keys to serialized values. State lives until close(). */
export class MemoryKeyValueEngine implements KeyValueEngine {
  readonly needsPrefetch = false;
  private readonly map = new Map<string, Buffer>();

  async open(): Promise<void> {}

  peek(id: string): Buffer | null {
    return this.map.get(id) ?? null;
  }

  async load(): Promise<void> {}

  put(id: string, _key: Buffer, value: Buffer | null): void {
    if (value === null) this.map.delete(id);
    else this.map.set(id, value);
  }

  remember(): void {}

  /** The stored value is a fresh buffer (encoded from the changelog record), not a view of a fetch. */
  restore(key: Buffer, value: Buffer | null): void {
    this.put(key.toString('latin1'), key, value);
  }

  async flush(): Promise<void> {}

  async read(id: string): Promise<Buffer | undefined> {
    return this.map.get(id);
  }

  async entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]> {
    return sortedEntries(this.map, from, to);
  }

  async count(): Promise<number> {
    return this.map.size;
  }

  async close(): Promise<void> {
    this.map.clear();
  }

  async destroy(): Promise<void> {
    this.map.clear();
  }
}
