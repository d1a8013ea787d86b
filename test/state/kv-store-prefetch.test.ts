import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import type { StoreSpec } from '../../src/graph/store-spec.js';
import { Serdes } from '../../src/serde/index.js';
import { changelogTopicConfig, changelogTopicSpec } from '../../src/state/changelog-topic-config.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import type { StoreBuildOptions } from '../../src/state/store-types.js';
import { tempDir, testContext } from './state-test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function opts(persistent: boolean, cacheMaxBytes: number): StoreBuildOptions<string, string> {
  return { name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.String(), persistent, logging: true, cacheMaxBytes };
}

function stateStoreError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isStreamwrightError(e, 'STATE_STORE')).toBe(true);
    return e as Error;
  }
  throw new Error('expected a STATE_STORE error');
}

async function seeded(cacheMaxBytes: number) {
  const dir = tempDir();
  dirs.push(dir);
  const first = createKeyValueStore(opts(true, cacheMaxBytes));
  await first.open(testContext(dir, 'kv').ctx);
  first.put('a', 'A');
  first.put('b', 'B');
  await first.flush();
  await first.close();
  const store = createKeyValueStore(opts(true, cacheMaxBytes));
  const t = testContext(dir, 'kv');
  await store.open(t.ctx);
  return { store, ...t };
}

describe('KeyValueStore on LevelDB: prefetch before synchronous reads', () => {
  for (const cache of [0, 100_000]) {
    it(`get/delete of an unloaded key is a STATE_STORE error naming store, task and the missing prefetch (cache ${cache})`, async () => {
      const { store } = await seeded(cache);
      expect(stateStoreError(() => store.get('a')).message).toMatch(/State store "kv" in task 0_0: get of a key that was not loaded from LevelDB.*prefetch/);
      expect(stateStoreError(() => store.delete('b')).message).toMatch(/not loaded/);
      const p = store.prefetch(['a', 'b', 'zz', 'a']);
      expect(p).toBeInstanceOf(Promise);
      await p;
      expect(store.get('a')).toBe('A');
      expect(store.get('zz')).toBeUndefined();
      expect(store.delete('b')).toBe('B');
      expect(store.get('b')).toBeUndefined();
      // Loaded or written keys need no further I/O.
      expect(store.prefetch(['a', 'b', 'zz'])).toBeUndefined();
      await store.close();
    });
  }

  it('a write with old values requested needs the old value loaded', async () => {
    const { store } = await seeded(1000);
    store.setFlushListener(() => {}, true);
    expect(stateStoreError(() => store.put('a', 'X')).message).toMatch(/put \(old value needed\)/);
    store.setFlushListener(() => {}, false);
    store.put('a', 'X'); // blind write: fine
    await store.flush();
    await store.close();
  });

  it('keeps prefetched keys readable until the next prefetch even past the loaded-keys limit', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = createKeyValueStore(opts(true, 0), { loadedKeysLimit: 4 });
    await store.open(testContext(dir, 'kv').ctx);
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const k of keys) store.put(k, k.toUpperCase());
    await store.flush(); // releases clean keys beyond the limit
    await store.prefetch(keys.slice(0, 6));
    for (const k of keys.slice(0, 6)) expect(store.get(k)).toBe(k.toUpperCase());
    await store.prefetch(keys.slice(6));
    for (const k of keys.slice(6)) expect(store.get(k)).toBe(k.toUpperCase());
    expect(() => store.get('k0')).toThrow(/not loaded/); // released by the second prefetch
    await store.close();
  });

  it('a cached key that a prefetch skipped stays readable after the cache evicts it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const o = opts(true, 400);
    const first = createKeyValueStore(o);
    await first.open(testContext(dir, 'kv').ctx);
    first.put('a', 'A');
    await first.flush();
    await first.close();
    const store = createKeyValueStore(o, { loadedKeysLimit: 1 });
    await store.open(testContext(dir, 'kv').ctx);
    await store.prefetch(['a']);
    expect(store.get('a')).toBe('A'); // now cached (clean)
    await store.prefetch(['b', 'c']); // releases loaded keys beyond the limit; 'a' is skipped: cached
    for (let i = 0; i < 20; i++) store.put(`x${i}`, 'filler'); // evicts 'a' from the cache
    expect(store.get('a')).toBe('A');
    await store.close();
  });

  it('counts operations into the task metrics and refuses use before open', async () => {
    const store = createKeyValueStore(opts(false, 0));
    expect(stateStoreError(() => store.get('x')).message).toMatch(/"kv" is not open/);
    const { ctx, metrics } = testContext(tempDir(), 'kv');
    await store.open(ctx);
    store.put('a', '1');
    store.put('a', '2');
    store.get('a');
    store.delete('a');
    await store.flush();
    const m = (name: string) => metrics.total(name, { task: '0_0', store: 'kv' });
    expect([m('put-total'), m('get-total'), m('delete-total'), m('flush-total')]).toEqual([2, 1, 1, 1]);
    await store.close();
  });

  it('refuses a negative or fractional cache size', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => createKeyValueStore(opts(false, bad))).toThrow(/"kv": invalid cacheMaxBytes.*whole number of bytes >= 0/);
  });
});

describe('changelog topic configs', () => {
  const base: StoreSpec = { name: 's', type: 'keyValue', persistent: true, logging: true, loggingConfig: {}, caching: true };
  it('key-value changelogs are compacted; windowed ones compact,delete with retention + 1 day; overrides win', () => {
    expect(changelogTopicConfig(base)).toEqual({ 'cleanup.policy': 'compact' });
    expect(changelogTopicConfig({ ...base, type: 'window', retentionMs: 60_000, windowSizeMs: 1000 })).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(60_000 + 86_400_000) });
    expect(changelogTopicConfig({ ...base, type: 'session', retentionMs: 5, loggingConfig: { 'retention.ms': '7', 'min.compaction.lag.ms': '9' } })).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '7',
      'min.compaction.lag.ms': '9',
    });
    expect(changelogTopicSpec('app', base, 4)).toEqual({ name: 'app-s-changelog', partitions: 4, config: { 'cleanup.policy': 'compact' } });
    expect(() => changelogTopicConfig({ ...base, type: 'window' })).toThrow(/"s": invalid retentionMs=undefined/);
  });
});
