import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import type { KeyValueStore } from '../../src/state/store-types.js';
import { byBytes, compact, pick, rng, tempDir, testContext } from './state-test-helpers.js';

interface Val {
  readonly n: number;
  readonly s: string;
}
interface Call {
  readonly key: string;
  readonly newValue: Val | undefined;
  readonly oldValue: Val | undefined;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Keys as plain strings (primitive cache ids) or as JSON objects (ids from serialized bytes). */
const KEY_KINDS = {
  string: { serde: Serdes.String() as Serde<unknown>, make: (i: number): unknown => `k${i}`, id: (k: unknown) => k as string },
  object: { serde: Serdes.Json<unknown>() as Serde<unknown>, make: (i: number): unknown => ({ id: i }), id: (k: unknown) => JSON.stringify(k) },
};

const CACHES = { none: 0, small: 600, large: 10_000_000 };

async function runModel(persistent: boolean, cacheName: keyof typeof CACHES, keyKind: keyof typeof KEY_KINDS, seed: number) {
  const dir = tempDir();
  dirs.push(dir);
  const kk = KEY_KINDS[keyKind];
  const cacheMaxBytes = CACHES[cacheName];
  const opts = { name: 'counts', keySerde: kk.serde, valueSerde: Serdes.Json<Val>(), persistent, logging: true, cacheMaxBytes };
  const store: KeyValueStore<unknown, Val> = createKeyValueStore(opts);
  const { ctx, changes, metrics } = testContext(dir, 'counts');
  await store.open(ctx);
  const calls: Call[] = [];
  store.setFlushListener((key, newValue, oldValue) => calls.push({ key: kk.id(key), newValue, oldValue }), true);

  const r = rng(seed);
  const model = new Map<string, Val>();
  const keys = Array.from({ length: 25 }, (_, i) => kk.make(i));
  const expectedEveryUpdate: Call[] = [];
  let flushedModel = new Map<string, Val>();
  let touched = new Set<string>();
  let gets = 0;
  let callsAtLastFlush = 0;
  for (let run = 0; run < 60; run++) {
    const runKeys = Array.from({ length: 12 }, () => pick(r, keys));
    const p = store.prefetch(runKeys);
    if (!persistent) expect(p).toBeUndefined();
    await p;
    for (const key of runKeys) {
      const id = kk.id(key);
      const op = r();
      if (op < 0.3) {
        expect(store.get(key)).toEqual(model.get(id));
        gets++;
      } else if (op < 0.75) {
        const v = { n: Math.floor(r() * 1000), s: 'x'.repeat(Math.floor(r() * 20)) };
        expectedEveryUpdate.push({ key: id, newValue: v, oldValue: model.get(id) });
        store.put(key, v, run);
        model.set(id, v);
        touched.add(id);
      } else {
        const old = model.get(id);
        if (old !== undefined) expectedEveryUpdate.push({ key: id, newValue: undefined, oldValue: old });
        expect(store.delete(key, run)).toEqual(old);
        model.delete(id);
        touched.add(id);
      }
    }
    if (run % 7 === 6 || run === 59) {
      await store.flush();
      if (cacheName === 'large') {
        // Merged: one call per key touched since the last flush, unless absent before and after.
        const since = calls.slice(callsAtLastFlush).sort((a, b) => byBytes(a.key, b.key));
        const want = [...touched]
          .filter((id) => model.has(id) || flushedModel.has(id))
          .sort(byBytes)
          .map((id) => ({ key: id, newValue: model.get(id), oldValue: flushedModel.get(id) }));
        expect(since).toEqual(want);
      }
      flushedModel = new Map(model);
      touched = new Set();
      callsAtLastFlush = calls.length;
    }
  }

  if (cacheName === 'none') expect(calls).toEqual(expectedEveryUpdate);
  if (cacheName === 'small') {
    // Evictions flushed some keys before the first commit, and merging saved some calls.
    expect(calls.length).toBeLessThan(expectedEveryUpdate.length);
  }
  // Every cache size: per key, the calls chain (old = previous new) and end at the final state.
  const lastByKey = new Map<string, Val | undefined>();
  for (const c of calls) {
    expect(c.oldValue).toEqual(lastByKey.get(c.key));
    lastByKey.set(c.key, c.newValue);
  }
  for (const [k, v] of lastByKey) expect(v).toEqual(model.get(k));

  // The compacted changelog equals the final state.
  const expectedLog = new Map([...model].map(([id, v]) => [Buffer.from(id, 'utf8').toString('latin1'), JSON.stringify(v)]));
  expect(compact(changes)).toEqual(expectedLog);
  if (cacheName === 'none') expect(changes.length).toBe(expectedEveryUpdate.length);

  // Interactive queries: all/range in serialized-key order, count.
  const sorted = [...model.keys()].sort(byBytes);
  const ro = store.readOnly();
  expect((await ro.all()).map((e) => [kk.id(e.key), e.value])).toEqual(sorted.map((id) => [id, model.get(id)]));
  const lo = kk.make(3);
  const hi = kk.make(17);
  const inRange = sorted.filter((id) => byBytes(id, kk.id(lo)) >= 0 && byBytes(id, kk.id(hi)) <= 0);
  expect((await ro.range(lo, hi)).map((e) => kk.id(e.key))).toEqual(inRange);
  expect(await ro.approximateNumEntries()).toBe(model.size);
  expect(metrics.total('get-total', { store: 'counts' })).toBe(gets);
  return { dir, model, store, kk, opts };
}

describe('KeyValueStore against a reference model', () => {
  for (const persistent of [false, true]) {
    for (const cache of Object.keys(CACHES) as (keyof typeof CACHES)[]) {
      for (const keyKind of Object.keys(KEY_KINDS) as (keyof typeof KEY_KINDS)[]) {
        it(`${persistent ? 'LevelDB' : 'memory'} engine, ${cache} cache, ${keyKind} keys`, async () => {
          const { store } = await runModel(persistent, cache, keyKind, 1000 + cache.length * 7 + keyKind.length + (persistent ? 1 : 0));
          await store.close();
        });
      }
    }
  }

  it('LevelDB state survives close and reopen', async () => {
    const { dir, model, store, kk, opts } = await runModel(true, 'small', 'string', 42);
    await store.close();
    const again = createKeyValueStore(opts);
    await again.open(testContext(dir, 'counts').ctx);
    const keys = Array.from({ length: 25 }, (_, i) => kk.make(i));
    await again.prefetch(keys);
    for (const k of keys) expect(again.get(k)).toEqual(model.get(kk.id(k)));
    await again.close();
  });
});
