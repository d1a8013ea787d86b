import { engineKeyBytes, type EngineKeyId } from './kv-key-id-codec.js';

/**
 * The byte-level key-value engine under the change-logging layer. Keys are addressed by their
 * engine id (engineKeyId() of the serialized key, kv-key-id-codec.ts). Each value is held with its
 * timestamp, in bytes of the engine's own (a value buffer it is given is not kept: the changelog
 * record carries it, and a restored one may be a view of a whole fetched batch); the key buffer a
 * put brings may be kept. Writes are synchronous on the processing path; an async engine
 * (LevelDB) keeps them in memory until flush(). Whole stored values (timestamp + value bytes, see
 * kv-value-codec.ts) only appear where they leave the engine for interactive queries (read,
 * entries) and in LevelDB itself.
 */
export interface KeyValueEngine {
  /** True when sync reads only see cached/prefetched keys (LevelDB), false for the memory engine. */
  readonly needsPrefetch: boolean;
  open(): Promise<void>;
  /** Sync read of the value serde's bytes: null when known absent, undefined when not loaded
   * (async engine only). */
  peekValue(id: EngineKeyId): Buffer | null | undefined;
  /** The timestamp of a value peekValue() just returned bytes for. */
  peekTimestamp(id: EngineKeyId): number;
  /** False when a sync read would not know the key (not loaded: async engine only). */
  knows(id: EngineKeyId): boolean;
  /** Loads the given keys (not loaded yet) in one batch, so peekValue() answers for them. */
  load(ids: readonly EngineKeyId[], keys: readonly Buffer[]): Promise<void>;
  /** value: the value serde's bytes (null deletes), kept with `timestamp`. */
  put(id: EngineKeyId, key: Buffer, value: Buffer | null, timestamp: number): void;
  /** Keeps a clean value readable by peekValue() (the cache evicted it after a prefetch skipped it). */
  remember(id: EngineKeyId, value: Buffer | null, timestamp: number): void;
  /** Restoration write of a changelog record (its value bytes, which may be a view of a fetched
   * batch, and timestamp): no read-your-writes bookkeeping, persisted by the next flush(). */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void;
  /** Persists the writes made since the last flush (one batch). */
  flush(): Promise<void>;
  /** Async point read for interactive queries: the stored value (timestamp + value bytes). */
  read(key: Buffer): Promise<Buffer | undefined>;
  /** Entries with from <= key <= to, in byte order, including writes not flushed yet; values are
   * stored values (timestamp + value bytes). */
  entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]>;
  count(): Promise<number>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** Sorted [key, stored value] pairs of a Map of ids (engine ids or latin1 strings) in [from, to];
 * null values are skipped. */
export function sortedEntries<T>(map: ReadonlyMap<EngineKeyId, T | null>, from: Buffer | undefined, to: Buffer | undefined, stored: (v: T) => Buffer): [Buffer, Buffer][] {
  const lo = from === undefined ? undefined : from.toString('latin1');
  const hi = to === undefined ? undefined : to.toString('latin1');
  const rows: [string, T][] = [];
  for (const [id, v] of map) {
    if (v === null) continue;
    const s = typeof id === 'string' ? id : engineKeyBytes(id).toString('latin1');
    if (lo !== undefined && s < lo) continue;
    if (hi !== undefined && s > hi) continue;
    rows.push([s, v]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return rows.map(([s, v]) => [Buffer.from(s, 'latin1'), stored(v)]);
}
