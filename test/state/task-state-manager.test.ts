import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { Serdes } from '../../src/serde/index.js';
import { checkpointPath, readCheckpoint } from '../../src/state/checkpoint-file.js';
import { createKeyValueStore } from '../../src/state/kv-store-factory.js';
import type { KeyValueStore } from '../../src/state/store-types.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { countingBackend, harness, PARTITION, TaskRun, type Harness } from './restore-test-harness.js';
import { rng } from './state-test-helpers.js';

const TOPIC = 'app-counts-changelog';
let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

function kvStore(persistent = true, cacheMaxBytes = 1000): KeyValueStore<string, number> {
  return createKeyValueStore({ name: 'counts', keySerde: Serdes.String(), valueSerde: Serdes.Json<number>(), persistent, logging: true, cacheMaxBytes });
}

/** Applies `n` random puts/deletes to the store and the model, committing every 40 updates. */
async function work(run: TaskRun, store: KeyValueStore<string, number>, model: Map<string, number>, n: number, seed: number): Promise<void> {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const key = `k${Math.floor(r() * 30)}`;
    await store.prefetch([key]);
    if (r() < 0.2) {
      store.delete(key, i);
      model.delete(key);
    } else {
      const v = (store.get(key) ?? 0) + 1;
      store.put(key, v, i);
      model.set(key, v);
    }
    if (i % 40 === 39) await run.commit();
  }
  await run.commit();
}

async function contents(store: KeyValueStore<string, number>): Promise<Map<string, number>> {
  return new Map((await store.readOnly().all()).map((e) => [e.key, e.value]));
}

async function changelogEnd(): Promise<number> {
  return (await h!.log.admin().listOffsets(TOPIC)).find((p) => p.partition === PARTITION)!.latest;
}

describe('TaskStateManager restoration (at-least-once)', () => {
  it('restores a store without local state from the whole changelog, reporting progress', async () => {
    h = await harness([{ name: TOPIC, config: { 'cleanup.policy': 'compact' } }]);
    const model = new Map<string, number>();
    const first = new TaskRun(h.log, path.join(h.root, 'a'), [{ store: kvStore(), changelogTopic: TOPIC }], false);
    const s1 = first.manager.store('counts') as KeyValueStore<string, number>;
    await first.manager.openAll();
    await work(first, s1, model, 300, 1);
    await first.close(true);
    const end = await changelogEnd();
    expect(end).toBeGreaterThan(50);

    // Another instance (fresh state dir) takes the task over.
    const { backend, polled } = countingBackend(h.log);
    const second = new TaskRun(backend, path.join(h.root, 'b'), [{ store: kvStore(), changelogTopic: TOPIC }], false);
    const summary = await second.manager.openAll();
    expect(summary).toEqual([{ store: 'counts', topic: TOPIC, partition: PARTITION, from: 'beginning', startOffset: 0, endOffset: end, restored: end }]);
    expect(polled()).toBe(end);
    expect(await contents(second.manager.store('counts') as KeyValueStore<string, number>)).toEqual(model);
    // Progress: monotone, batches of at most maxPollRecords, ends done with the total.
    const p = second.progress;
    expect(p.length).toBeGreaterThan(end / 50 - 1);
    for (let i = 1; i < p.length; i++) expect(p[i].restored).toBeGreaterThan(p[i - 1].restored);
    expect(p.at(-1)).toMatchObject({ store: 'counts', restored: end, total: end, done: true });
    expect(p.at(-1)!.ratePerSec).toBeGreaterThan(0);
    expect(p.slice(0, -1).every((x) => !x.done)).toBe(true);
    // After restoration the checkpoint says where the next restore starts.
    expect(readCheckpoint(second.taskDir, silentLogger)).toEqual(new Map([[`${TOPIC}:${PARTITION}`, end]]));
    await second.close(true);
  });

  it('restores only the changelog tail after the checkpoint (records polled are counted)', async () => {
    h = await harness([{ name: TOPIC, config: { 'cleanup.policy': 'compact' } }]);
    const dir = path.join(h.root, 'task');
    const model = new Map<string, number>();
    const run1 = new TaskRun(h.log, dir, [{ store: kvStore(), changelogTopic: TOPIC }], false);
    await run1.manager.openAll();
    await work(run1, run1.manager.store('counts') as KeyValueStore<string, number>, model, 200, 2);
    await run1.close(true);
    const checkpointed = await changelogEnd();

    // Clean restart: nothing to replay.
    const c2 = countingBackend(h.log);
    const run2 = new TaskRun(c2.backend, dir, [{ store: kvStore(), changelogTopic: TOPIC }], false);
    expect((await run2.manager.openAll())[0]).toMatchObject({ from: 'checkpoint', startOffset: checkpointed, restored: 0 });
    expect(c2.polled()).toBe(0);
    // More work whose changelog records are committed but never checkpointed, then a crash.
    const s2 = run2.manager.store('counts') as KeyValueStore<string, number>;
    const r = rng(3);
    for (let i = 0; i < 37; i++) {
      const key = `k${Math.floor(r() * 30)}`;
      await s2.prefetch([key]);
      const v = (s2.get(key) ?? 0) + 100;
      s2.put(key, v);
      model.set(key, v);
    }
    await run2.commit({ skipCheckpoint: true });
    await run2.close(false);
    const tail = (await changelogEnd()) - checkpointed;
    expect(tail).toBeGreaterThan(0);

    const c3 = countingBackend(h.log);
    const run3 = new TaskRun(c3.backend, dir, [{ store: kvStore(), changelogTopic: TOPIC }], false);
    expect((await run3.manager.openAll())[0]).toMatchObject({ from: 'checkpoint', startOffset: checkpointed, restored: tail });
    expect(c3.polled()).toBe(tail);
    expect(await contents(run3.manager.store('counts') as KeyValueStore<string, number>)).toEqual(model);
    await run3.close(true);
  });

  it('in-memory stores always restore from the beginning; a corrupt or out-of-range checkpoint falls back to it', async () => {
    h = await harness([{ name: TOPIC, config: { 'cleanup.policy': 'compact' } }]);
    const dir = path.join(h.root, 'task');
    const model = new Map<string, number>();
    const run1 = new TaskRun(h.log, dir, [{ store: kvStore(false), changelogTopic: TOPIC }], false);
    await run1.manager.openAll();
    await work(run1, run1.manager.store('counts') as KeyValueStore<string, number>, model, 120, 4);
    await run1.close(true);
    const end = await changelogEnd();
    expect(fs.existsSync(checkpointPath(dir))).toBe(true);
    expect(readCheckpoint(dir, silentLogger)).toEqual(new Map()); // memory stores are not checkpointed

    const run2 = new TaskRun(h.log, dir, [{ store: kvStore(false), changelogTopic: TOPIC }], false);
    expect((await run2.manager.openAll())[0]).toMatchObject({ from: 'beginning', restored: end });
    expect(await contents(run2.manager.store('counts') as KeyValueStore<string, number>)).toEqual(model);
    await run2.close(true);

    for (const bad of ['{not json', JSON.stringify({ version: 1, offsets: { [TOPIC]: { [PARTITION]: end + 1000 } } })]) {
      const run = new TaskRun(h.log, path.join(h.root, 'p'), [{ store: kvStore(true), changelogTopic: TOPIC }], false);
      await run.manager.openAll();
      await run.close(true);
      fs.writeFileSync(checkpointPath(run.taskDir), bad);
      const again = new TaskRun(h.log, run.taskDir, [{ store: kvStore(true), changelogTopic: TOPIC }], false);
      expect((await again.manager.openAll())[0]).toMatchObject({ from: 'beginning', startOffset: 0, restored: end });
      expect(await contents(again.manager.store('counts') as KeyValueStore<string, number>)).toEqual(model);
      await again.close(true);
    }
  });

  it('names a missing changelog topic and a record the store cannot read (with its offset)', async () => {
    h = await harness([{ name: TOPIC, config: { 'cleanup.policy': 'compact' } }]);
    const missing = new TaskRun(h.log, path.join(h.root, 'm'), [{ store: kvStore(), changelogTopic: 'app-nope-changelog' }], false);
    await expect(missing.manager.openAll()).rejects.toThrow(/changelog topic "app-nope-changelog" does not exist/);

    const p = h.log.producer({});
    await p.send([
      { topic: TOPIC, partition: PARTITION, key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1 },
      { topic: TOPIC, partition: PARTITION, key: null, value: Buffer.from('2'), timestamp: 2 },
    ]);
    await p.close();
    const run = new TaskRun(h.log, path.join(h.root, 'x'), [{ store: kvStore(false, 0), changelogTopic: TOPIC }], false);
    let err: unknown;
    try {
      await run.manager.openAll();
    } catch (e) {
      err = e;
    }
    expect(isStreamwrightError(err, 'STATE_STORE')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`Restoring store "counts" failed at ${TOPIC} partition ${PARTITION} offset 1: a changelog record has a null key`));
  });
});
