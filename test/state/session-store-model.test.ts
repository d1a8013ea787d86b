import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { Serdes } from '../../src/serde/index.js';
import { splitSessionKey } from '../../src/state/key-codec.js';
import { createSessionStore } from '../../src/state/session-store.js';
import type { SessionStore, StoreBuildOptions } from '../../src/state/store-types.js';
import { pick, rng, tempDir, testContext, type LoggedChange } from './state-test-helpers.js';

const RETENTION = 400;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface UserKey {
  readonly user: string;
}
interface Sess {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  value: number;
}
const sid = (user: string, start: number, end: number) => `${user}|${start}|${end}`;

function opts(persistent: boolean, cacheMaxBytes: number): StoreBuildOptions<UserKey, number> {
  return { name: 'sess', keySerde: Serdes.Json<UserKey>(), valueSerde: Serdes.Json<number>(), persistent, logging: true, cacheMaxBytes, retentionMs: RETENTION };
}

function compactSessions(changes: readonly LoggedChange[]): Map<string, number> {
  const last = new Map<string, number | undefined>();
  for (const c of changes) {
    const { key, start, end } = splitSessionKey('sess', c.key, 'test');
    const user = (JSON.parse(key.toString()) as UserKey).user;
    last.set(sid(user, start, end), c.value === null ? undefined : (JSON.parse(c.value.toString()) as number));
  }
  return new Map([...last].filter(([, v]) => v !== undefined) as [string, number][]);
}

const view = (s: Sess) => [s.user, s.start, s.end, s.value];

describe('SessionStore against a reference model', () => {
  for (const persistent of [false, true]) {
    for (const cache of [0, 300, 10_000_000]) {
      it(`${persistent ? 'persistent' : 'in-memory'}, cache ${cache}`, async () => {
        const dir = tempDir();
        dirs.push(dir);
        const store: SessionStore<UserKey, number> = createSessionStore(opts(persistent, cache));
        const { ctx, changes } = testContext(dir, 'sess');
        await store.open(ctx);
        const calls: { id: string; nv: number | undefined; ov: number | undefined }[] = [];
        store.setFlushListener((w, nv, ov) => calls.push({ id: sid(w.key.user, w.start, w.end), nv, ov }), true);
        const live = new Map<string, Sess>();
        const lastLogged = new Map<string, number | undefined>();
        let observed = -Infinity;
        const expired = (end: number) => end <= observed - RETENTION;
        const r = rng(persistent ? 11 + cache : 5 + cache);
        const users = ['u1', 'u2', 'u3', 'u4'];
        let time = 0;
        const find = (user: string, earliestEnd: number, latestStart: number) =>
          [...live.values()]
            .filter((s) => s.user === user && s.end >= earliestEnd && s.start <= latestStart)
            .sort((a, b) => a.end - b.end || a.start - b.start)
            .map(view);
        for (let i = 0; i < 1500; i++) {
          const user = pick(r, users);
          const op = r();
          if (op < 0.45) {
            const start = Math.max(0, time - 300 + Math.floor(r() * 350));
            const end = start + Math.floor(r() * 60);
            const v = Math.floor(r() * 100);
            store.put({ key: { user }, start, end }, v, time);
            if (!expired(end)) {
              live.set(sid(user, start, end), { user, start, end, value: v });
              lastLogged.set(sid(user, start, end), v);
            }
          } else if (op < 0.6) {
            const mine = [...live.values()].filter((s) => s.user === user);
            if (mine.length === 0) continue;
            const s = pick(r, mine);
            store.remove({ key: { user }, start: s.start, end: s.end }, time);
            live.delete(sid(user, s.start, s.end));
            lastLogged.set(sid(user, s.start, s.end), undefined);
          } else if (op < 0.85) {
            const a = time - Math.floor(r() * 300);
            const b = a + Math.floor(r() * 200);
            expect(store.findSessions({ user }, a, b).map((e) => [e.key.key.user, e.key.start, e.key.end, e.value])).toEqual(find(user, a, b));
          } else {
            time += Math.floor(r() * 40);
            store.expire(time);
            if (time > observed) observed = time;
            for (const [k, s] of live) if (expired(s.end)) live.delete(k);
          }
          if (i % 150 === 149) await store.flush();
        }
        await store.flush();
        for (const user of users) {
          expect((await store.readOnly().fetch({ user })).map((e) => [e.key.key.user, e.key.start, e.key.end, e.value])).toEqual(find(user, -Infinity, Infinity));
        }
        expect(compactSessions(changes)).toEqual(new Map([...lastLogged].filter(([, v]) => v !== undefined)));
        const last = new Map<string, number | undefined>();
        for (const c of calls) {
          expect(c.ov).toBe(last.get(c.id));
          last.set(c.id, c.nv);
        }
        if (persistent) {
          await store.close();
          const again = createSessionStore(opts(true, cache));
          await again.open(testContext(dir, 'sess').ctx);
          again.expire(time);
          for (const user of users) expect(again.findSessions({ user }, -Infinity, Infinity).map((e) => [e.key.key.user, e.key.start, e.key.end, e.value])).toEqual(find(user, -Infinity, Infinity));
          await again.close();
        } else {
          await store.close();
        }
      });
    }
  }

  it('rejects a retention <= 0 and a session whose end precedes its start', async () => {
    for (const retentionMs of [0, -1, undefined]) {
      expect(() => createSessionStore({ ...opts(false, 0), retentionMs })).toThrow(/"sess": invalid retentionMs=.*> 0/);
    }
    const store = createSessionStore(opts(false, 0));
    await store.open(testContext(tempDir(), 'sess').ctx);
    let err: unknown;
    try {
      store.put({ key: { user: 'x' }, start: 10, end: 5 }, 1);
    } catch (e) {
      err = e;
    }
    expect(isStreamwrightError(err, 'STATE_STORE')).toBe(true);
    expect((err as Error).message).toMatch(/invalid window \[10, 5\].*end >= start/);
    await store.close();
  });
});
