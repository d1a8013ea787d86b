import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import { entrySize } from '../../src/state/size-estimator.js';
import { rng, tempDir, testContext } from './state-test-helpers.js';

/** An in-memory String/String store whose cache holds `entries` one-letter entries, and the keys its flush listener saw. */
async function openStringCache(entries: number) {
  const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.String(), persistent: false, logging: true, cacheMaxBytes: entries * entrySize('a', 'A') });
  const dir = tempDir();
  await store.open(testContext(dir, 'kv').ctx);
  const flushed: string[] = [];
  store.setFlushListener((k) => flushed.push(k), false);
  return { store, dir, flushed };
}

/**
 * The record cache evicts least-recently-used first; reads and updates both count as use.
 * Expectation: Kafka's LRU ThreadCache, worked by hand for a cache that holds three entries.
 */
describe('KeyValueStore record cache eviction', () => {
  it('a read spares an entry: the next evictions flush the unread entries, oldest first, and keep every value readable', async () => {
    const { store, dir, flushed } = await openStringCache(3.5);
    store.put('a', 'A', 1);
    store.put('b', 'B', 2);
    store.put('c', 'C', 3);
    expect(store.get('a')).toBe('A'); // LRU order now b, c, a
    store.put('d', 'D', 4);
    expect(flushed).toEqual(['b']);
    store.put('e', 'E', 5);
    expect(flushed).toEqual(['b', 'c']);
    // LRU now a, d, e: an update of a makes d the least recently used.
    store.put('a', 'A2', 6);
    store.put('f', 'F', 7);
    expect(flushed).toEqual(['b', 'c', 'd']);
    // Evicted entries were flushed to the engine: reading them back gives the same values.
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => store.get(k))).toEqual(['A2', 'B', 'C', 'D', 'E', 'F']);
    await store.flush();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a read of a key the in-memory store does not hold caches nothing (as in Kafka): it evicts no entry', async () => {
    const { store, dir, flushed } = await openStringCache(3);
    store.put('a', 'A', 1);
    store.put('b', 'B', 2);
    store.put('c', 'C', 3);
    for (const k of ['x', 'y', 'z', 'w']) expect(store.get(k)).toBeUndefined();
    expect(flushed).toEqual([]);
    store.put('d', 'D', 4);
    expect(flushed).toEqual(['a']);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a flush listener writing back into the store (evicting while a flush runs) leaves every key with its last value, in the store and the changelog', async () => {
    // Room for about four entries, so the listener's writes evict entries a flush() is going through.
    const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent: false, logging: true, cacheMaxBytes: 4 * entrySize('k00', 0) });
    const dir = tempDir();
    const { ctx, changes } = testContext(dir, 'kv');
    await store.open(ctx);
    const model = new Map<string, number>();
    const lastSeen = new Map<string, number | undefined>();
    store.setFlushListener((key, newValue, oldValue, ts) => {
      // Each flushed update of an original key is echoed once under its own key.
      expect(oldValue).toBe(lastSeen.get(key));
      lastSeen.set(key, newValue);
      if (!key.startsWith('echo-') && newValue !== undefined) {
        store.put(`echo-${key}`, newValue * 10, ts);
        model.set(`echo-${key}`, newValue * 10);
      }
    }, true);
    const r = rng(3);
    for (let step = 0; step < 400; step++) {
      const key = `k${String(Math.floor(r() * 12)).padStart(2, '0')}`;
      const value = Math.floor(r() * 1000);
      store.put(key, value, step);
      model.set(key, value);
      if (step % 25 === 24) await store.flush();
    }
    await store.flush();
    await store.flush(); // the echoes written by the last flush's listener
    for (const [k, v] of model) expect(store.get(k), k).toBe(v);
    // The changelog, compacted (last record per key), is the final state.
    const last = new Map<string, number>();
    for (const c of changes) last.set(c.key.toString(), Number(c.value!.readBigInt64BE(0)));
    expect(last).toEqual(model);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
