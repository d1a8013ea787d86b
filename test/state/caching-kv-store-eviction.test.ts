import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import { entrySize } from '../../src/state/size-estimator.js';
import { tempDir, testContext } from './state-test-helpers.js';

/**
 * The record cache evicts least-recently-used first; reads and updates both count as use.
 * Expectation: Kafka's LRU ThreadCache, worked by hand for a cache that holds three entries.
 */
describe('KeyValueStore record cache eviction', () => {
  it('a read spares an entry: the next evictions flush the unread entries, oldest first, and keep every value readable', async () => {
    const perEntry = entrySize('a', 'A');
    const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.String(), persistent: false, logging: true, cacheMaxBytes: 3 * perEntry + perEntry / 2 });
    const dir = tempDir();
    await store.open(testContext(dir, 'kv').ctx);
    const flushed: string[] = [];
    store.setFlushListener((k) => flushed.push(k), false);
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
});
