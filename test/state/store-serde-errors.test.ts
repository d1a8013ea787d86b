import { describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import { createWindowStore } from '../../src/state/window-store.js';
import { tempDir, testContext } from './state-test-helpers.js';

function serializationError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isStreamwrightError(e, 'SERIALIZATION')).toBe(true);
    return e as Error;
  }
  throw new Error('expected a SERIALIZATION error');
}

describe('a value the serde refuses never half-applies an update', () => {
  it('key-value without cache: put throws, state and changelog unchanged', async () => {
    const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent: false, logging: true, cacheMaxBytes: 0 });
    const { ctx, changes } = testContext(tempDir(), 'kv');
    await store.open(ctx);
    store.put('a', 1);
    expect(serializationError(() => store.put('a', 1.5)).message).toContain('app-kv-changelog');
    expect(store.get('a')).toBe(1);
    expect(changes.length).toBe(1);
    await store.close();
  });

  it('key-value with cache: flush throws, the update stays dirty and a corrected value flushes', async () => {
    const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent: true, logging: true, cacheMaxBytes: 100_000 });
    const { ctx, changes } = testContext(tempDir(), 'kv');
    await store.open(ctx);
    store.put('a', 1.5);
    store.put('b', 2);
    await expect(store.flush()).rejects.toThrow(/Long serializer got 1.5/);
    await expect(store.flush()).rejects.toThrow(/Long serializer got 1.5/); // still dirty, not dropped
    store.put('a', 3);
    await store.flush();
    const logged = new Map(changes.map((c) => [c.key.toString(), c.value!.readInt32BE(4)]));
    expect(logged).toEqual(new Map([['a', 3], ['b', 2]]));
    await store.close();
  });

  it('key-value with cache and Long keys: a key the serde refuses fails its put and get; small and large keys flush with their bytes', async () => {
    const store = createKeyValueStore({ name: 'kv', keySerde: Serdes.Long(), valueSerde: Serdes.Long(), persistent: false, logging: true, cacheMaxBytes: 100_000 });
    const { ctx, changes } = testContext(tempDir(), 'kv');
    await store.open(ctx);
    for (const bad of [1.5, -0.5, 2 ** 64, NaN]) {
      expect(serializationError(() => store.put(bad, 1)).message).toContain(`Long serializer got ${String(bad)}`);
      expect(serializationError(() => store.get(bad)).message).toContain(`Long serializer got ${String(bad)}`);
    }
    const keys = [0, 7, 2 ** 30 - 1, 2 ** 30, -1, 2 ** 40];
    for (const k of keys) store.put(k, k + 1, 5);
    expect(changes.length).toBe(0); // cached, not flushed yet
    await store.flush();
    const logged = changes.map((c) => [c.key.readBigInt64BE(0), c.value!.readBigInt64BE(0), c.timestamp]);
    expect(logged).toEqual(keys.map((k) => [BigInt(k), BigInt(k + 1), 5]));
    for (const k of keys) expect(store.get(k)).toBe(k + 1);
    await store.close();
  });

  it('window store without cache: put throws and the window keeps its value', async () => {
    const store = createWindowStore({ name: 'w', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent: false, logging: true, cacheMaxBytes: 0, retentionMs: 100, windowSizeMs: 10 });
    const { ctx, changes } = testContext(tempDir(), 'w');
    await store.open(ctx);
    store.put('a', 1, 0);
    serializationError(() => store.put('a', 0.5, 0));
    serializationError(() => store.put('a', 0.5, 10));
    expect(store.fetch('a', 0)).toBe(1);
    expect(store.fetchRange('a', 0, 100).length).toBe(1);
    expect(changes.length).toBe(1);
    await store.close();
  });
});
