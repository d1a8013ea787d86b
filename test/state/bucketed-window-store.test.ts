import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Serdes } from '../../src/serde/index.js';
import type { StoreBuildOptions } from '../../src/state/store-types.js';
import { createWindowStore } from '../../src/state/window-store.js';
import { tempDir, testContext } from './state-test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function opts(cacheMaxBytes: number): StoreBuildOptions<string, number> {
  return { name: 'w', keySerde: Serdes.String(), valueSerde: Serdes.Json<number>(), persistent: true, logging: true, cacheMaxBytes, retentionMs: 100, windowSizeMs: 100, windowLayout: 'by-window' };
}

async function reopen(dir: string) {
  const s = createWindowStore(opts(1 << 20));
  await s.open(testContext(dir, 'w').ctx);
  return s;
}

const rows = async (s: ReturnType<typeof createWindowStore<string, number>>) => (await s.readOnly().all()).map((e) => [e.key.key, e.key.start, e.value]);

describe('BucketedWindowStore on LevelDB', () => {
  it('deletes a LevelDB time segment once all its windows expired, so a reopened store does not load them', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = createWindowStore(opts(1 << 20));
    await s.open(testContext(dir, 'w').ctx);
    // Retention 100 ms: segments of 60 s (Kafka's max(retention / 2, 60 s)).
    const starts = [0, 30_000, 60_000, 90_000, 120_000, 150_000];
    for (const start of starts) s.put('k', start, start, start);
    await s.flush();
    expect(fs.readdirSync(path.join(dir, 'w')).filter((n) => n.startsWith('segment-')).sort()).toEqual(['segment-0', 'segment-120000', 'segment-60000']);
    // Stream time 120,100: every window starting before 120,001 has ended, so segments [0, 60 s)
    // and [60 s, 120 s) go; the window at 120,000 stays in memory but has expired too.
    s.expire(120_200);
    await s.flush();
    expect(fs.readdirSync(path.join(dir, 'w')).filter((n) => n.startsWith('segment-'))).toEqual(['segment-120000']);
    expect((await rows(s)).map((r) => r[1])).toEqual([150_000]);
    await s.close();
    const r = await reopen(dir);
    // The live segment comes back whole; the expired window in it leaves at the first expire().
    expect((await rows(r)).map((x) => x[1])).toEqual([120_000, 150_000]);
    r.expire(120_200);
    expect((await rows(r)).map((x) => x[1])).toEqual([150_000]);
    await r.close();
  });

  it('keeps windows with negative starts in numeric order across a reopen', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = createWindowStore(opts(0));
    await s.open(testContext(dir, 'w').ctx);
    for (const start of [300, -2_000_000_000_000, -100, 0, 5_000_000_000_000]) s.put('k', start, start, 1);
    await s.flush();
    await s.close();
    const r = await reopen(dir);
    expect(await rows(r)).toEqual([-2_000_000_000_000, -100, 0, 300, 5_000_000_000_000].map((st) => ['k', st, st]));
    expect(r.fetchRange('k', -200, 300).map((e) => e.value)).toEqual([-100, 0, 300]);
    await r.close();
  });

  it('drops windows that had expired by the newest restored record', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const src = createWindowStore({ ...opts(0), persistent: false });
    const { ctx, changes } = testContext(dir, 'w');
    await src.open(ctx);
    for (let t = 0; t <= 1000; t += 100) src.put('k', t, t, t);
    await src.close();
    const restored = createWindowStore({ ...opts(0), persistent: false });
    await restored.open(testContext(tempDir(), 'w').ctx);
    for (const c of changes) restored.restore(c.key, c.value, c.timestamp);
    await restored.restoreDone();
    // Newest record at 1000: windows ending at or before 900 had expired (retention 100).
    expect(await rows(restored)).toEqual([900, 1000].map((st) => ['k', st, st]));
    await restored.close();
  });
});
