/**
 * State store contract (issue #3). Stores are per task, typed, and synchronous on the processing
 * path; anything LevelDB must do asynchronously happens in three batched places the runtime
 * awaits between synchronous processing runs:
 *   - prefetch(keys) before a run of records (one getMany for the keys not in memory),
 *   - flush() at commit (dirty entries written to the engine in one batch and to the changelog),
 *   - restore on task start (checkpoint, then changelog from the checkpointed offset).
 * Layers, outermost first: metered -> caching -> change-logging -> engine (LevelDB or memory).
 */
import type { Header } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';

import type { Windowed } from '../graph/processor-types.js';

export type { Windowed };

export interface KeyValueEntry<K, V> {
  readonly key: K;
  readonly value: V;
}

/** A key-value store's value with its timestamp (Kafka Streams' ValueAndTimestamp): the
 * timestamp of the update that wrote it, kept in the engine and restored from the changelog
 * record's timestamp. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

// Read-only views for interactive queries (app.store(name)). Async because LevelDB is.

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): Promise<V | undefined>;
  /** Entries with from <= key <= to in serialized-key order (either bound may be undefined). */
  range(from: K | undefined, to: K | undefined): Promise<KeyValueEntry<K, V>[]>;
  all(): Promise<KeyValueEntry<K, V>[]>;
  approximateNumEntries(): Promise<number>;
}

export interface ReadOnlyWindowStore<K, V> {
  /** Value of the window of `key` starting at `windowStart`. */
  fetch(key: K, windowStart: number): Promise<V | undefined>;
  /** Windows of `key` whose start is in [timeFrom, timeTo], oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): Promise<KeyValueEntry<Windowed<K>, V>[]>;
  /** All windows whose start is in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): Promise<KeyValueEntry<Windowed<K>, V>[]>;
  all(): Promise<KeyValueEntry<Windowed<K>, V>[]>;
}

export interface ReadOnlySessionStore<K, V> {
  /** All sessions of `key`, oldest first. */
  fetch(key: K): Promise<KeyValueEntry<Windowed<K>, V>[]>;
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Promise<KeyValueEntry<Windowed<K>, V>[]>;
}

/** Where a store sends its changelog records and learns about its task. */
export interface StoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  /** `<state.dir>/<application.id>/<taskId>`; the store keeps its files under `<taskDir>/<store name>/`. */
  readonly taskDir: string;
  /** `<application.id>-<store>-changelog`, or undefined when logging is disabled. */
  readonly changelogTopic: string | undefined;
  /** Appends a changelog record (partition = task partition); goes out with the task's commit. */
  logChange(key: Buffer, value: Buffer | null, timestamp: number, headers?: readonly Header[]): void;
  readonly metrics: import('../runtime/metrics.js').Metrics;
  readonly logger: import('../runtime/logger.js').Logger;
}

export interface StoreLifecycle {
  readonly name: string;
  readonly persistent: boolean;
  open(ctx: StoreContext): Promise<void>;
  /** Writes dirty state to the engine and the changelog (called at every commit, before the offsets commit). */
  flush(): Promise<void>;
  /** Applies one changelog record during restoration (value null = delete). */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void;
  /** Called after restoration has applied every record (e.g. to write a restore batch). */
  restoreDone(): Promise<void>;
  close(): Promise<void>;
  /** Deletes local files (state lost or wiped under exactly-once). */
  destroy(): Promise<void>;
}

/**
 * Caching layer output: with caching enabled, updates to a key between commits are merged and
 * this is called once per key at flush/eviction with the latest value and the previous (flushed)
 * one; with statestore.cache.max.bytes=0 it is called on every update.
 */
export type CacheFlushListener<K, V> = (key: K, newValue: V | undefined, oldValue: V | undefined, timestamp: number) => void;

export interface KeyValueStore<K, V> extends StoreLifecycle {
  /** Sync. Throws STATE_STORE if the key is not in memory on an async engine (prefetch first). */
  get(key: K): V | undefined;
  /** get() with the value's timestamp (allocates the pair; use get() when the timestamp is not needed). */
  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined;
  /** The timestamp getWithTimestamp() would return, without allocating (call after get() found a value). */
  timestampOf(key: K): number | undefined;
  /** timestamp (default: wall-clock now) is the value's timestamp, kept with it and in the changelog record. */
  put(key: K, value: V, timestamp?: number): void;
  delete(key: K, timestamp?: number): V | undefined;
  /** Loads keys not yet in memory; undefined when nothing needed loading (no await needed). */
  prefetch(keys: readonly K[]): Promise<void> | undefined;
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): void;
  readOnly(): ReadOnlyKeyValueStore<K, V>;
}

export interface WindowStore<K, V> extends StoreLifecycle {
  fetch(key: K, windowStart: number): V | undefined;
  /** Timestamp the window's current value was put with (Kafka's ValueAndTimestamp), undefined when absent. */
  fetchTimestamp(key: K, windowStart: number): number | undefined;
  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  put(key: K, value: V | undefined, windowStart: number, timestamp?: number): void;
  /** Drops windows that ended before streamTime - retention (call as stream time advances). */
  expire(streamTime: number): void;
  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void;
  readOnly(): ReadOnlyWindowStore<K, V>;
}

export interface SessionStore<K, V> extends StoreLifecycle {
  /** Sessions of key overlapping [earliestEnd, latestStart] (for merging), oldest first. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, V>[];
  put(session: Windowed<K>, value: V, timestamp?: number): void;
  remove(session: Windowed<K>, timestamp?: number): void;
  expire(streamTime: number): void;
  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void;
  readOnly(): ReadOnlySessionStore<K, V>;
}

/** What the runtime passes to build a store from a graph StoreSpec. */
export interface StoreBuildOptions<K, V> {
  readonly name: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly persistent: boolean;
  readonly logging: boolean;
  /** Bytes the caching layer may hold for this store; 0 disables caching (every update flows). */
  readonly cacheMaxBytes: number;
  readonly retentionMs?: number;
  readonly windowSizeMs?: number;
  /** Window stores: 'by-window' (windows start at multiples of an advance: tumbling, hopping) or
   * 'by-key' (starts follow record timestamps: joins, sliding windows; the default). */
  readonly windowLayout?: 'by-window' | 'by-key';
}
