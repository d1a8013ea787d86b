/**
 * The byte-level key-value engine under the change-logging layer. Keys are addressed by their
 * id: the serialized key as a latin1 string (sorts like the bytes). Values are stored values
 * (timestamp + value bytes, see kv-value-codec.ts); the engine never looks inside them and keeps
 * the buffers it is given. Writes are synchronous on the processing path; an async engine
 * (LevelDB) keeps them in memory until flush().
 */
export interface KeyValueEngine {
  /** True when sync reads only see cached/prefetched keys (LevelDB), false for the memory engine. */
  readonly needsPrefetch: boolean;
  open(): Promise<void>;
  /** Sync read: the value, null when known absent, undefined when not loaded (async engine only). */
  peek(id: string): Buffer | null | undefined;
  /** Loads the given keys (not loaded yet) in one batch, so peek() answers for them. */
  load(ids: readonly string[], keys: readonly Buffer[]): Promise<void>;
  /** value null deletes. */
  put(id: string, key: Buffer, value: Buffer | null): void;
  /** Keeps a clean value readable by peek() (the cache evicted it after a prefetch skipped it). */
  remember(id: string, value: Buffer | null): void;
  /** Restoration write: no read-your-writes bookkeeping, persisted by the next flush(). */
  restore(key: Buffer, value: Buffer | null): void;
  /** Persists the writes made since the last flush (one batch). */
  flush(): Promise<void>;
  /** Async point read for interactive queries. */
  read(id: string, key: Buffer): Promise<Buffer | undefined>;
  /** Entries with from <= key <= to, in byte order, including writes not flushed yet. */
  entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]>;
  count(): Promise<number>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** Sorted [key, value] pairs of a Map<id, value> in [from, to]. */
export function sortedEntries(map: ReadonlyMap<string, Buffer | null>, from: Buffer | undefined, to: Buffer | undefined): [Buffer, Buffer][] {
  const lo = from === undefined ? undefined : from.toString('latin1');
  const hi = to === undefined ? undefined : to.toString('latin1');
  const ids: string[] = [];
  for (const [id, v] of map) {
    if (v === null) continue;
    if (lo !== undefined && id < lo) continue;
    if (hi !== undefined && id > hi) continue;
    ids.push(id);
  }
  ids.sort();
  return ids.map((id) => [Buffer.from(id, 'latin1'), map.get(id)!]);
}
