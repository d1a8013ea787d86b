import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Serdes } from '../../src/serde/index.js';
import { checkpointPath } from '../../src/state/checkpoint-file.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import type { KeyValueStore, WindowStore } from '../../src/state/store-types.js';
import { createWindowStore } from '../../src/state/window-store.js';
import { countingBackend, harness, TaskRun, type Harness } from './restore-test-harness.js';

const KV = 'app-counts-changelog';
const WIN = 'app-win-changelog';
let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const kvStore = () => createKeyValueStore({ name: 'counts', keySerde: Serdes.String(), valueSerde: Serdes.Json<number>(), persistent: true, logging: true, cacheMaxBytes: 10_000 });
const winStore = () =>
  createWindowStore({ name: 'win', keySerde: Serdes.String(), valueSerde: Serdes.Json<number>(), persistent: true, logging: true, cacheMaxBytes: 10_000, retentionMs: 1000, windowSizeMs: 100 });
const stores = () => [
  { store: kvStore(), changelogTopic: KV },
  { store: winStore(), changelogTopic: WIN },
];
const topics: { name: string; config: Record<string, string> }[] = [
  { name: KV, config: { 'cleanup.policy': 'compact' } },
  { name: WIN, config: { 'cleanup.policy': 'compact,delete', 'retention.ms': '86401000' } },
];

async function state(run: TaskRun) {
  const kv = run.manager.store('counts') as KeyValueStore<string, number>;
  const win = run.manager.store('win') as WindowStore<string, number>;
  return {
    kv: (await kv.readOnly().all()).map((e) => [e.key, e.value]),
    win: (await win.readOnly().all()).map((e) => [e.key.key, e.key.start, e.value]),
  };
}

function apply(run: TaskRun, n: number, base: number): void {
  const kv = run.manager.store('counts') as KeyValueStore<string, number>;
  const win = run.manager.store('win') as WindowStore<string, number>;
  for (let i = 0; i < n; i++) {
    kv.put(`k${i % 7}`, base + i); // persistent KV: put without old values needs no prefetch
    win.put(`k${i % 3}`, base + i, (i % 5) * 100);
  }
}

describe('TaskStateManager under exactly-once', () => {
  it('deletes the checkpoint while processing, writes it on clean close, and then restores only the tail', async () => {
    h = await harness(topics);
    const dir = path.join(h.root, 'task');
    const run1 = new TaskRun(h.log, dir, stores(), true);
    await run1.manager.openAll();
    expect(fs.existsSync(checkpointPath(dir))).toBe(false);
    apply(run1, 40, 0);
    await run1.commit();
    expect(fs.existsSync(checkpointPath(dir))).toBe(false); // never while processing under EOS
    const expected = await state(run1);
    await run1.close(true);
    expect(fs.existsSync(checkpointPath(dir))).toBe(true);

    const c = countingBackend(h.log);
    const run2 = new TaskRun(c.backend, dir, stores(), true, 'app-0_1-b');
    const summary = await run2.manager.openAll();
    expect(summary.map((s) => [s.store, s.from, s.restored])).toEqual([
      ['counts', 'checkpoint', 0],
      ['win', 'checkpoint', 0],
    ]);
    expect(c.polled()).toBe(0);
    expect(await state(run2)).toEqual(expected);
    expect(fs.existsSync(checkpointPath(dir))).toBe(false);
    await run2.close(false);
  });

  it('wipes local state without a checkpoint, so writes of an aborted transaction disappear', async () => {
    h = await harness(topics);
    const dir = path.join(h.root, 'task');
    const run1 = new TaskRun(h.log, dir, stores(), true);
    await run1.manager.openAll();
    apply(run1, 30, 0);
    await run1.commit();
    const committed = await state(run1);
    apply(run1, 30, 1000); // reaches LevelDB at flush, but the transaction aborts
    await run1.commit({ abort: true });
    expect(await state(run1)).not.toEqual(committed);
    await run1.close(false); // crash: no checkpoint
    expect(fs.existsSync(path.join(dir, 'counts', 'CURRENT'))).toBe(true);

    const c = countingBackend(h.log);
    const run2 = new TaskRun(c.backend, dir, stores(), true, 'app-0_1-b');
    const summary = await run2.manager.openAll();
    expect(summary.map((s) => [s.store, s.from, s.startOffset])).toEqual([
      ['counts', 'beginning', 0],
      ['win', 'beginning', 0],
    ]);
    // read_committed: only the committed records are applied.
    expect(summary.map((s) => s.restored)).toEqual([committed.kv.length, committed.win.length]);
    expect(c.polled()).toBe(committed.kv.length + committed.win.length);
    expect(await state(run2)).toEqual(committed);
    await run2.close(true);
  });

  it('at-least-once: a persistent window store reopens from LevelDB and replays only the uncheckpointed tail', async () => {
    h = await harness(topics);
    const dir = path.join(h.root, 'task');
    const run1 = new TaskRun(h.log, dir, stores(), false);
    await run1.manager.openAll();
    apply(run1, 25, 0);
    await run1.commit();
    apply(run1, 25, 500);
    await run1.commit({ skipCheckpoint: true });
    const expected = await state(run1);
    const offsets = run1.manager.changelogOffsets();
    await run1.close(false);
    const ends = await Promise.all([KV, WIN].map(async (t) => (await h!.log.admin().listOffsets(t)).find((p) => p.partition === 1)!.latest));

    const c = countingBackend(h.log);
    const run2 = new TaskRun(c.backend, dir, stores(), false);
    const summary = await run2.manager.openAll();
    const cp = (t: string) => offsets.find((o) => o.topic === t)!.offset;
    expect(summary.map((s) => [s.store, s.from, s.startOffset, s.restored])).toEqual([
      ['counts', 'checkpoint', cp(KV), ends[0] - cp(KV)],
      ['win', 'checkpoint', cp(WIN), ends[1] - cp(WIN)],
    ]);
    expect(c.polled()).toBe(ends[0] - cp(KV) + ends[1] - cp(WIN));
    expect(await state(run2)).toEqual(expected);
    await run2.close(true);
  });

  it('wipe() deletes local stores and the checkpoint', async () => {
    h = await harness(topics);
    const dir = path.join(h.root, 'task');
    const run = new TaskRun(h.log, dir, stores(), false);
    await run.manager.openAll();
    apply(run, 10, 0);
    await run.commit();
    expect(fs.existsSync(checkpointPath(dir))).toBe(true);
    await run.manager.wipe();
    expect(fs.existsSync(path.join(dir, 'counts'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'win'))).toBe(false);
    expect(fs.existsSync(checkpointPath(dir))).toBe(false);
  });
});
