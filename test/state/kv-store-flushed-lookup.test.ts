import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import { entrySize } from '../../src/state/size-estimator.js';
import type { KeyValueStore } from '../../src/state/store-types.js';
import { tempDir, testContext, type LoggedChange } from './state-test-helpers.js';

/**
 * What a cached update needs to know about the engine's value from before it (whether a delete
 * changes anything, the old value a listener gets) is looked up by the memory engine only at the
 * flush. Worked examples in Kafka's terms (CachingKeyValueStore#putAndMaybeForward): a key absent
 * before and after a flush writes nothing; a listener wanting old values gets the value the
 * engine held before the cached updates; deleting a stored key logs a tombstone.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Call {
  readonly key: string;
  readonly newValue: number | undefined;
  readonly oldValue: number | undefined;
}

async function open(persistent: boolean, cacheMaxBytes: number, listen: 'none' | 'new' | 'old') {
  const dir = tempDir();
  dirs.push(dir);
  const store: KeyValueStore<string, number> = createKeyValueStore({ name: 'kv', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent, logging: true, cacheMaxBytes });
  const { ctx, changes } = testContext(dir, 'kv');
  await store.open(ctx);
  const calls: Call[] = [];
  if (listen !== 'none') store.setFlushListener((key, newValue, oldValue) => calls.push({ key, newValue, oldValue }), listen === 'old');
  return { store, changes, calls };
}

const logged = (changes: readonly LoggedChange[]) => changes.map((c) => [c.key.toString(), c.value === null ? null : Number(c.value.readBigInt64BE(0)), c.timestamp]);

describe('key-value cache: the value before the cached updates, looked up at flush', () => {
  for (const persistent of [false, true]) {
    const engine = persistent ? 'LevelDB' : 'memory';
    for (const listen of ['none', 'new', 'old'] as const) {
      it(`${engine} engine, listener ${listen}: a new key put then deleted writes nothing; a stored key deleted logs a tombstone`, async () => {
        const { store, changes, calls } = await open(persistent, 1 << 20, listen);
        await store.prefetch(['a', 'b']);
        store.put('a', 1, 10);
        expect(store.delete('a', 11)).toBe(1);
        store.put('b', 5, 12);
        await store.flush();
        expect(logged(changes)).toEqual([['b', 5, 12]]);
        await store.prefetch(['b']);
        store.put('b', 6, 13);
        store.delete('b', 14);
        await store.flush();
        expect(logged(changes)).toEqual([['b', 5, 12], ['b', null, 14]]);
        const want = listen === 'none' ? [] : [{ key: 'b', newValue: 5, oldValue: undefined }, { key: 'b', newValue: undefined, oldValue: listen === 'old' ? 5 : undefined }];
        expect(calls).toEqual(want);
        await store.close();
      });
    }

    it(`${engine} engine: an evicted key updated again hands the listener its stored value as the old value`, async () => {
      // Room for two entries: the third update evicts the least recently used one.
      const { store, changes, calls } = await open(persistent, 2 * entrySize('k0', 0) + 10, 'old');
      await store.prefetch(['k0', 'k1', 'k2']);
      store.put('k0', 100, 1);
      store.put('k1', 101, 2);
      store.put('k2', 102, 3); // evicts k0: flushed as new
      await store.prefetch(['k0']);
      store.put('k0', 200, 4); // evicts k1; k0's new entry knows nothing of 100 until it is flushed
      await store.flush();
      expect(calls).toEqual([
        { key: 'k0', newValue: 100, oldValue: undefined },
        { key: 'k1', newValue: 101, oldValue: undefined },
        { key: 'k2', newValue: 102, oldValue: undefined },
        { key: 'k0', newValue: 200, oldValue: 100 },
      ]);
      expect(logged(changes)).toEqual([['k0', 100, 1], ['k1', 101, 2], ['k2', 102, 3], ['k0', 200, 4]]);
      const ro = store.readOnly();
      expect(await ro.approximateNumEntries()).toBe(3);
      await store.close();
    });

    it(`${engine} engine: the interactive-query count includes new keys not flushed yet and leaves out deleted ones`, async () => {
      const { store } = await open(persistent, 1 << 20, 'none');
      await store.prefetch(['x', 'y', 'z']);
      store.put('x', 1, 1);
      store.put('y', 2, 2);
      await store.flush();
      store.put('z', 3, 3); // new, not flushed
      store.delete('x', 4); // stored, deleted, not flushed
      store.put('y', 5, 5); // stored, updated
      expect(await store.readOnly().approximateNumEntries()).toBe(2);
      expect((await store.readOnly().all()).map((e) => [e.key, e.value])).toEqual([['y', 5], ['z', 3]]);
      await store.close();
    });
  }
});
