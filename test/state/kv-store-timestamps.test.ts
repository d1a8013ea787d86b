import * as fs from 'node:fs';
import * as path from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/index.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import type { KeyValueStore, StoreBuildOptions } from '../../src/state/store-types.js';
import { pick, rng, tempDir, testContext, type LoggedChange } from './state-test-helpers.js';

/** What the store must answer for a key: the last value written and the timestamp it was written with. */
interface Stamped {
  readonly value: number;
  readonly ts: number;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Numbers on both sides of the engines' small-integer key ids (0 .. 2^30-1; see kv-key-id-codec.ts). */
const spread = (i: number): number => [i, -1 - i, 2 ** 30 - 1 - i, 2 ** 30 + i, 2 ** 31 + i][i % 5];
const KEY_KINDS = {
  string: { serde: Serdes.String() as Serde<unknown>, make: (i: number): unknown => `k${i}`, id: (k: unknown) => k as string },
  object: { serde: Serdes.Json<unknown>() as Serde<unknown>, make: (i: number): unknown => ({ id: i }), id: (k: unknown) => JSON.stringify(k) },
  long: { serde: Serdes.Long() as Serde<unknown>, make: (i: number): unknown => spread(i) * 3, id: (k: unknown) => String(k) },
  int: { serde: Serdes.Int() as Serde<unknown>, make: (i: number): unknown => (i % 5 === 4 ? -(2 ** 31) + i : spread(i)), id: (k: unknown) => String(k) },
};
const CACHES = { none: 0, small: 300, large: 10_000_000 };

function options(persistent: boolean, cacheMaxBytes: number, keySerde: Serde<unknown>): StoreBuildOptions<unknown, number> {
  return { name: 'stamped', keySerde, valueSerde: Serdes.Long() as Serde<number>, persistent, logging: true, cacheMaxBytes };
}

async function expectStamps(store: KeyValueStore<unknown, number>, keys: readonly unknown[], id: (k: unknown) => string, model: ReadonlyMap<string, Stamped>, what: string): Promise<void> {
  await store.prefetch(keys);
  for (const k of keys) {
    const want = model.get(id(k));
    const got = store.getWithTimestamp(k);
    expect(got, `${what}: ${id(k)}`).toEqual(want === undefined ? undefined : { value: want.value, timestamp: want.ts });
  }
}

describe('key-value store value timestamps (Kafka TimestampedKeyValueStore)', () => {
  for (const persistent of [false, true]) {
    for (const cache of Object.keys(CACHES) as (keyof typeof CACHES)[]) {
      for (const keyKind of Object.keys(KEY_KINDS) as (keyof typeof KEY_KINDS)[]) {
        it(`${persistent ? 'LevelDB' : 'memory'}, ${cache} cache, ${keyKind} keys: getWithTimestamp, the changelog and a restore agree with the model`, async () => {
          const dir = tempDir();
          dirs.push(dir);
          const kk = KEY_KINDS[keyKind];
          const opts = options(persistent, CACHES[cache], kk.serde);
          const store = createKeyValueStore(opts);
          const { ctx, changes } = testContext(dir, 'stamped');
          await store.open(ctx);
          const r = rng(persistent ? 77 : 78);
          const keys = Array.from({ length: 20 }, (_, i) => kk.make(i));
          const model = new Map<string, Stamped>();
          for (let run = 0; run < 40; run++) {
            const runKeys = Array.from({ length: 10 }, () => pick(r, keys));
            await store.prefetch(runKeys);
            for (const key of runKeys) {
              const op = r();
              // Timestamps jump back and forth (out-of-order updates) and include negative ones.
              const ts = Math.floor(r() * 2_000_000_000_000) - 1000;
              if (op < 0.45) {
                const value = Math.floor(r() * 1000);
                store.put(key, value, ts);
                model.set(kk.id(key), { value, ts });
              } else if (op < 0.6) {
                store.delete(key, ts);
                model.delete(kk.id(key));
              } else {
                const want = model.get(kk.id(key));
                expect(store.getWithTimestamp(key)).toEqual(want === undefined ? undefined : { value: want.value, timestamp: want.ts });
                expect(store.get(key)).toEqual(want?.value);
              }
            }
            if (r() < 0.3) await store.flush();
          }
          await store.flush();
          await expectStamps(store, keys, kk.id, model, 'after flush');

          // The changelog carries the plain value bytes (no timestamp prefix) with the value's timestamp.
          const last = new Map<string, LoggedChange>();
          for (const c of changes) last.set(kk.id(kk.serde.deserialize('t', c.key)), c);
          for (const [id, want] of model) {
            const c = last.get(id)!;
            expect(c.value!.length, id).toBe(8);
            expect(Number(c.value!.readBigInt64BE(0)), id).toBe(want.value);
            expect(c.timestamp, id).toBe(want.ts);
          }
          await store.close();

          if (persistent) {
            const again = createKeyValueStore(opts);
            await again.open(testContext(dir, 'stamped').ctx);
            await expectStamps(again, keys, kk.id, model, 'reopened');
            await again.close();
          }
          // Restored from the changelog into an empty store: the record timestamps come back.
          const fresh = tempDir();
          dirs.push(fresh);
          const restored = createKeyValueStore(opts);
          await restored.open(testContext(fresh, 'stamped').ctx);
          for (const c of changes) restored.restore(c.key, c.value, c.timestamp);
          await restored.restoreDone();
          await expectStamps(restored, keys, kk.id, model, 'restored');
          await restored.close();
        });
      }
    }
  }

  it('keeps the timestamp of a clean value the cache evicted and a prefetch skipped', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = createKeyValueStore(options(true, 120, Serdes.String() as Serde<unknown>));
    await store.open(testContext(dir, 'stamped').ctx);
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    await store.prefetch(keys);
    keys.forEach((k, i) => store.put(k, i, 1000 + i));
    await store.flush();
    // Loading them all back evicts clean entries while the next prefetch skips cached keys.
    for (let round = 0; round < 3; round++) {
      await store.prefetch(keys);
      keys.forEach((k, i) => expect(store.getWithTimestamp(k)).toEqual({ value: i, timestamp: 1000 + i }));
    }
    await store.close();
  });

  it('refuses a LevelDB directory written without value timestamps instead of misreading it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const old = new Level<Buffer, Buffer>(path.join(dir, 'stamped'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await old.put(Buffer.from('k'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]));
    await old.close();
    const store = createKeyValueStore(options(true, 0, Serdes.String() as Serde<unknown>));
    const err = await store.open(testContext(dir, 'stamped').ctx).catch((e: unknown) => e);
    expect(isStreamwrightError(err, 'STATE_STORE')).toBe(true);
    expect((err as Error).message).toMatch(/"stamped".*another layout.*Delete that directory/);
    // After the directory is deleted (as the message says) the store opens and writes the new layout.
    fs.rmSync(path.join(dir, 'stamped'), { recursive: true });
    const again = createKeyValueStore(options(true, 0, Serdes.String() as Serde<unknown>));
    await again.open(testContext(dir, 'stamped').ctx);
    await again.prefetch(['k']);
    again.put('k', 7, 5);
    await again.flush();
    await again.close();
    const raw = new Level<Buffer, Buffer>(path.join(dir, 'stamped'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    const stored = await raw.get(Buffer.from('k'));
    await raw.close();
    // FORMAT.md: 8-byte big-endian timestamp, then the value serde's bytes.
    expect(stored).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 7]));
  });
});
