import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { Serdes } from '../../src/serde/index.js';
import { splitWindowKey } from '../../src/state/key-codec.js';
import type { StoreBuildOptions, WindowStore } from '../../src/state/store-types.js';
import { createWindowStore } from '../../src/state/window-store.js';
import { byBytes, pick, rng, tempDir, testContext, type LoggedChange } from './state-test-helpers.js';

const SIZE = 100;
const RETENTION = 500;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Win {
  readonly key: string;
  readonly start: number;
  value: number;
}

/** Reference model: a plain map of live windows plus Kafka's expiry rule. */
class WindowModel {
  readonly live = new Map<string, Win>();
  /** Last accepted value per window (what the compacted changelog must hold). */
  readonly lastLogged = new Map<string, number | undefined>();
  observed = -Infinity;
  /** Updates that change state (what reaches the listener without caching). */
  accepted = 0;
  static id(key: string, start: number): string {
    return `${key}@${start}`;
  }
  expired(start: number): boolean {
    return start + SIZE <= this.observed - RETENTION;
  }
  put(key: string, start: number, value: number | undefined): void {
    if (this.expired(start)) return;
    const id = WindowModel.id(key, start);
    if (value === undefined) {
      if (this.live.delete(id)) {
        this.lastLogged.set(id, undefined);
        this.accepted++;
      }
    } else {
      this.accepted++;
      this.live.set(id, { key, start, value });
      this.lastLogged.set(id, value);
    }
  }
  expire(t: number): void {
    if (t > this.observed) this.observed = t;
    for (const [id, w] of this.live) if (this.expired(w.start)) this.live.delete(id);
  }
  sorted(filter: (w: Win) => boolean): [string, number, number][] {
    return [...this.live.values()]
      .filter(filter)
      .sort((a, b) => a.start - b.start || byBytes(a.key, b.key))
      .map((w) => [w.key, w.start, w.value]);
  }
}

type Layout = 'by-key' | 'by-window';
let layout: Layout = 'by-key';

function opts(persistent: boolean, cacheMaxBytes: number): StoreBuildOptions<string, number> {
  return { name: 'win', keySerde: Serdes.String(), valueSerde: Serdes.Json<number>(), persistent, logging: true, cacheMaxBytes, retentionMs: RETENTION, windowSizeMs: SIZE, windowLayout: layout };
}

function compactWindows(changes: readonly LoggedChange[]): Map<string, number> {
  const last = new Map<string, number | undefined>();
  for (const c of changes) {
    const { key, start } = splitWindowKey('win', c.key, 'test');
    last.set(WindowModel.id(key.toString('utf8'), start), c.value === null ? undefined : (JSON.parse(c.value.toString()) as number));
  }
  return new Map([...last].filter(([, v]) => v !== undefined) as [string, number][]);
}

async function runModel(persistent: boolean, cacheMaxBytes: number, seed: number) {
  const dir = tempDir();
  dirs.push(dir);
  const store: WindowStore<string, number> = createWindowStore(opts(persistent, cacheMaxBytes));
  const { ctx, changes } = testContext(dir, 'win');
  await store.open(ctx);
  const calls: { id: string; nv: number | undefined; ov: number | undefined }[] = [];
  store.setFlushListener((w, nv, ov) => {
    expect(w.end).toBe(w.start + SIZE);
    calls.push({ id: WindowModel.id(w.key, w.start), nv, ov });
  }, true);
  const m = new WindowModel();
  const r = rng(seed);
  const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
  let time = 0;
  for (let i = 0; i < 1500; i++) {
    const key = pick(r, keys);
    const start = Math.max(0, time - 600 + Math.floor(r() * 700)) - (Math.max(0, time - 600 + Math.floor(r() * 700)) % 50);
    const op = r();
    if (op < 0.45) {
      const v = Math.floor(r() * 1000);
      store.put(key, v, start, time);
      m.put(key, start, v);
    } else if (op < 0.55) {
      store.put(key, undefined, start, time);
      m.put(key, start, undefined);
    } else if (op < 0.75) {
      expect(store.fetch(key, start)).toBe(m.live.get(WindowModel.id(key, start))?.value);
    } else if (op < 0.9) {
      const from = start - 150;
      const to = start + 150;
      const got = store.fetchRange(key, from, to).map((e) => [e.key.key, e.key.start, e.value]);
      expect(got).toEqual(m.sorted((w) => w.key === key && w.start >= from && w.start <= to));
    } else {
      time += Math.floor(r() * 60);
      store.expire(time);
      m.expire(time);
    }
    if (i % 200 === 199) await store.flush();
  }
  await store.flush();
  expect((await store.readOnly().all()).map((e) => [e.key.key, e.key.start, e.value])).toEqual(m.sorted(() => true));
  expect((await store.readOnly().fetchAll(time - 300, time)).map((e) => [e.key.key, e.key.start, e.value])).toEqual(
    m.sorted((w) => w.start >= time - 300 && w.start <= time),
  );
  // The compacted changelog holds every window's last accepted value (expired ones included:
  // topic retention, not the store, removes those).
  expect(compactWindows(changes)).toEqual(new Map([...m.lastLogged].filter(([, v]) => v !== undefined)));
  // Listener: per window the calls chain and end at the last accepted value.
  const last = new Map<string, number | undefined>();
  for (const c of calls) {
    expect(c.ov).toBe(last.get(c.id));
    last.set(c.id, c.nv);
  }
  expect(new Map([...last].filter(([, v]) => v !== undefined))).toEqual(new Map([...m.lastLogged].filter(([, v]) => v !== undefined)));
  if (cacheMaxBytes === 0) expect(calls.length).toBe(m.accepted);
  else expect(calls.length).toBeLessThan(m.accepted);
  return { dir, store, m, changes, time };
}

for (const l of ['by-key', 'by-window'] as const) describe(`WindowStore (${l}) against a reference model`, () => {
  beforeEach(() => {
    layout = l;
  });

  for (const persistent of [false, true]) {
    for (const cache of [0, 400, 10_000_000]) {
      it(`${persistent ? 'persistent' : 'in-memory'}, cache ${cache}`, async () => {
        const { store } = await runModel(persistent, cache, 7 + cache + (persistent ? 1 : 0));
        await store.close();
      });
    }
  }

  it('restores from its changelog and, when persistent, from LevelDB after reopen', async () => {
    const { dir, store, m, changes, time } = await runModel(true, 400, 99);
    await store.close();
    const fromLog = createWindowStore(opts(false, 0));
    await fromLog.open(testContext(tempDir(), 'win').ctx);
    for (const c of changes) fromLog.restore(c.key, c.value, c.timestamp);
    await fromLog.restoreDone();
    fromLog.expire(time);
    const fromDb = createWindowStore(opts(true, 400));
    await fromDb.open(testContext(dir, 'win').ctx);
    fromDb.expire(time);
    for (const s of [fromLog, fromDb]) {
      expect((await s.readOnly().all()).map((e) => [e.key.key, e.key.start, e.value])).toEqual(m.sorted(() => true));
      await s.close();
    }
  });

  it('rejects a window size or retention that cannot work, naming the option', () => {
    const bad: [Partial<StoreBuildOptions<string, number>>, RegExp][] = [
      [{ retentionMs: 0 }, /retentionMs=0.*> 0/],
      [{ retentionMs: -5 }, /retentionMs=-5/],
      [{ windowSizeMs: 0 }, /windowSizeMs=0/],
      [{ windowSizeMs: 1.5 }, /windowSizeMs=1.5/],
      [{ retentionMs: 50 }, /at least the window size \(100 ms\)/],
      [{ cacheMaxBytes: -1 }, /cacheMaxBytes/],
    ];
    for (const [patch, msg] of bad) {
      let err: unknown;
      try {
        createWindowStore({ ...opts(false, 0), ...patch });
      } catch (e) {
        err = e;
      }
      expect(isStreamwrightError(err, 'CONFIG_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toContain('"win"');
    }
  });

  it('drops writes to expired windows and counts them', async () => {
    const store = createWindowStore(opts(false, 0));
    const { ctx, changes, metrics } = testContext(tempDir(), 'win');
    await store.open(ctx);
    store.expire(1000);
    store.put('k', 1, 400, 1000); // ends at 500 <= 1000 - 500: expired
    store.put('k', 2, 401, 1000);
    expect(store.fetch('k', 400)).toBeUndefined();
    expect(store.fetch('k', 401)).toBe(2);
    expect(changes.length).toBe(1);
    expect(metrics.total('dropped-records-total', { store: 'win', reason: 'expired-window' })).toBe(1);
    await store.close();
  });
});
