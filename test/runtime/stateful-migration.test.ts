/**
 * Quality bar: a stateful task moving between two instances of one application.id in one process
 * (each with its own state dir, as on two machines). The instance taking a task over restores its
 * window store from the changelog and continues with correct aggregates; when the task moves back
 * to an instance that still has (older) local state, it replays only the changelog tail after its
 * checkpoint. Exactly-once, cache off: the committed output equals the reference updates exactly.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from './fixtures/app-test-helpers.js';
import { decodeOutput, STORE } from './fixtures/stateful-app-fixture.js';
import { restoredByTask, startStatefulApp, storeContents, waitCommittedToEnd, type AppHandle, type InProcessOptions } from './fixtures/stateful-app-helpers.js';
import { embeddedEnv, produceInput, readTopic } from './fixtures/stateful-log-env.js';
import { checkExact, generateInput, graceFor, referenceFinals, type InputRec, type InputSpec } from './fixtures/stateful-model.js';

const SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? 7_700_331);
const SPEC: InputSpec = { records: 240, keys: 8, partitions: 4, stepMs: 120, jitterMs: 3_000 };
const APP = 'stateful-move';
const TASKS = ['0_0', '0_1', '0_2', '0_3'];

const perPartition = (rs: readonly InputRec[], p: number) => rs.filter((r) => r.partition === p).length;
const plain = <V>(m: Map<string, V>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('stateful app: tasks moving between two instances', () => {
  it(`the instance taking a task over restores its store and continues with correct aggregates (seed ${SEED})`, async () => {
    const env = embeddedEnv();
    const input = generateInput(SEED, SPEC);
    const q = Math.floor(input.length / 4);
    const parts = [input.slice(0, q), input.slice(q, 2 * q), input.slice(2 * q, 3 * q), input.slice(3 * q)];
    await env.createTopics(SPEC.partitions, 2);
    const base: Omit<InProcessOptions, 'stateDir'> = { appId: APP, logDir: env.logDir, guarantee: 'exactly_once_v2', cache: false, graceMs: graceFor(SPEC) };
    const handles: AppHandle[] = [];
    const failed = () => handles.find((h) => h.app.state === 'ERROR') && 'an instance failed';
    await env.withBackend(async (b) => {
      try {
        await produceInput(b, env.input, parts[0]);
        const a = await startStatefulApp(b, { ...base, stateDir: path.join(env.dir, 'state-a') });
        handles.push(a);
        await a.app.waitUntilRunning(10_000);
        expect(a.app.activeTasks()).toEqual(TASKS);
        await waitCommittedToEnd(b, APP, env.input, 30_000, failed);

        // B joins: two tasks move to it and are restored from their changelogs.
        const bb = await startStatefulApp(b, { ...base, stateDir: path.join(env.dir, 'state-b') });
        handles.push(bb);
        await waitFor('both instances to own two tasks', 20_000, () => (a.app.activeTasks().length === 2 && bb.app.activeTasks().length === 2 && a.app.state === 'RUNNING' && bb.app.state === 'RUNNING' ? true : undefined), 20);
        const moved = bb.app.activeTasks();
        expect([...a.app.activeTasks(), ...moved].sort()).toEqual(TASKS);
        const restoredB = restoredByTask(bb.restores);
        for (const t of moved) expect(restoredB.get(t)?.restored, `task ${t} restored on B`).toBe(perPartition(parts[0], Number(t.slice(2))));
        expect(plain(await storeContents([a.app, bb.app]))).toEqual(plain(referenceFinals(parts[0])));

        await produceInput(b, env.input, parts[1]);
        await waitCommittedToEnd(b, APP, env.input, 30_000, failed);
        expect(plain(await storeContents([a.app, bb.app]))).toEqual(plain(referenceFinals([...parts[0], ...parts[1]])));

        // A leaves: B takes every task; A's two tasks are restored on B from scratch.
        const aTasks = a.app.activeTasks();
        await a.app.close();
        await waitFor('B to own every task', 20_000, () => (bb.app.activeTasks().length === 4 && bb.app.state === 'RUNNING' ? true : undefined), 20);
        const restoredB2 = restoredByTask(bb.restores);
        for (const t of aTasks) expect(restoredB2.get(t)?.restored, `task ${t} restored on B`).toBe(perPartition([...parts[0], ...parts[1]], Number(t.slice(2))));
        await produceInput(b, env.input, parts[2]);
        await waitCommittedToEnd(b, APP, env.input, 30_000, failed);
        expect(plain(await storeContents([bb.app]))).toEqual(plain(referenceFinals([...parts[0], ...parts[1], ...parts[2]])));

        // A comes back with its old state dir: the tasks it gets replay only what B wrote since A's checkpoint.
        const a2 = await startStatefulApp(b, { ...base, stateDir: path.join(env.dir, 'state-a') });
        handles.push(a2);
        await waitFor('A to own two tasks again', 20_000, () => (a2.app.activeTasks().length === 2 && bb.app.activeTasks().length === 2 && a2.app.state === 'RUNNING' ? true : undefined), 20);
        const restoredA2 = restoredByTask(a2.restores);
        for (const t of a2.app.activeTasks()) {
          const p = Number(t.slice(2));
          // A owned every task until B joined (checkpoint after part 0 when it handed two over) and
          // kept `aTasks` until it left (checkpoint after part 1): it replays only what came since.
          const expected = aTasks.includes(t) ? perPartition(parts[2], p) : perPartition([...parts[1], ...parts[2]], p);
          expect(restoredA2.get(t), `task ${t} restored on A`).toMatchObject({ store: STORE, restored: expected });
        }
        await produceInput(b, env.input, parts[3]);
        await waitCommittedToEnd(b, APP, env.input, 30_000, failed);
        expect(plain(await storeContents([a2.app, bb.app]))).toEqual(plain(referenceFinals(input)));
      } finally {
        for (const h of handles) await h.app.close();
      }
      const out = decodeOutput(env.output, await readTopic(b, env.output, 'read_committed', false));
      expect(checkExact(out, input), `seed ${SEED}`).toEqual([]);
    });
  });
});
