import * as path from 'node:path';
import { CachingKeyValueStore } from './caching-kv-store.js';
import { LevelKeyValueEngine } from './level-kv-engine.js';
import { MemoryKeyValueEngine } from './memory-kv-engine.js';
import { MeteredKeyValueStore } from './metered-kv-store.js';
import { validateKeyValueOptions } from './store-options.js';
import type { KeyValueStore, StoreBuildOptions } from './store-types.js';

export interface KeyValueStoreTuning {
  /** LevelDB only: clean prefetched keys kept in memory before a prefetch releases older ones. */
  readonly loadedKeysLimit?: number;
}

/**
 * Builds a key-value store: metered -> caching -> change-logging -> engine (LevelDB under
 * `<taskDir>/<name>/` when persistent, else memory). Throws CONFIG_INVALID for bad options.
 */
export function createKeyValueStore<K, V>(opts: StoreBuildOptions<K, V>, tuning: KeyValueStoreTuning = {}): KeyValueStore<K, V> {
  validateKeyValueOptions(opts);
  const caching = new CachingKeyValueStore<K, V>(opts.name, opts.persistent, opts.keySerde, opts.valueSerde, opts.cacheMaxBytes, opts.logging, (ctx) =>
    opts.persistent ? new LevelKeyValueEngine(opts.name, path.join(ctx.taskDir, opts.name), tuning.loadedKeysLimit) : new MemoryKeyValueEngine(),
  );
  return new MeteredKeyValueStore(caching);
}
