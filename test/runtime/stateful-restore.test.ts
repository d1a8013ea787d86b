/**
 * Quality bar: restoration of the windowed aggregation's LevelDB window store from its changelog.
 * - State dir deleted while the instance is stopped: the restart restores every changelog record
 *   (from the beginning), its store (queried through app.store) equals the reference, and the
 *   outputs after the restart continue the reference exactly.
 * - Checkpoint used: an instance that closed cleanly restarts after another instance (another
 *   state dir, as on another machine) advanced the changelog; it replays only that tail, which
 *   app.onRestoreProgress reports record by record. Likewise after a SIGKILL under at-least-once,
 *   which checkpoints at every commit: the restart replays only [checkpoint, changelog end).
 * Cache off (statestore.cache.max.bytes=0), so each input record writes exactly one changelog
 * record: the restored counts are known from the input alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, tpKey } from '../../src/state/checkpoint-file.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { decodeOutput, STORE, type ChildArgs, type Guarantee } from './fixtures/stateful-app-fixture.js';
import { recordingLogger } from './fixtures/app-test-helpers.js';
import { runAndKill } from './fixtures/stateful-crash-harness.js';
import { restoredByTask, startStatefulApp, storeContents, waitCommittedToEnd, type InProcessOptions } from './fixtures/stateful-app-helpers.js';
import { embeddedEnv, endOffsets, produceInput, readTopic } from './fixtures/stateful-log-env.js';
import { checkAtLeastOnce, checkExact, DEFAULT_INPUT, generateInput, graceFor, referenceFinals, type InputRec } from './fixtures/stateful-model.js';

const SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? 20_240_601);
const PARTITIONS = DEFAULT_INPUT.partitions;
const APP = 'stateful-restore';
const CHANGELOG = `${APP}-${STORE}-changelog`;

const perPartition = (rs: readonly InputRec[], p: number) => rs.filter((r) => r.partition === p).length;
const plain = <V>(m: Map<string, V>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

function thirds(input: InputRec[]): [InputRec[], InputRec[], InputRec[]] {
  const n = Math.floor(input.length / 3);
  return [input.slice(0, n), input.slice(n, 2 * n), input.slice(2 * n)];
}

describe.concurrent('stateful app: restoring the window store from its changelog', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as Guarantee[]) {
    it(`${guarantee}: state dir deleted while stopped -> full restore, store and later outputs equal the reference (seed ${SEED})`, async () => {
      const env = embeddedEnv();
      const input = generateInput(SEED);
      const [part1, part2, part3] = thirds(input);
      await env.createTopics(PARTITIONS, 2);
      const opts: InProcessOptions = { appId: APP, logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee, cache: false, graceMs: graceFor(DEFAULT_INPUT) };
      await env.withBackend(async (b) => {
        await produceInput(b, env.input, part1);
        const first = await startStatefulApp(b, opts);
        try {
          await first.app.waitUntilRunning(10_000);
          await waitCommittedToEnd(b, APP, env.input);
          expect(plain(await storeContents([first.app]))).toEqual(plain(referenceFinals(part1)));
        } finally {
          await first.app.close();
        }
        // Nothing to restore on the very first start.
        expect(first.restores.filter((e) => e.restored > 0)).toEqual([]);

        fs.rmSync(opts.stateDir, { recursive: true, force: true });
        await produceInput(b, env.input, part2);
        const second = await startStatefulApp(b, opts);
        try {
          await second.app.waitUntilRunning(10_000);
          const done = restoredByTask(second.restores);
          for (let p = 0; p < PARTITIONS; p++) {
            const r = done.get(`0_${p}`);
            expect(r, `restore of task 0_${p}`).toMatchObject({ store: STORE, topic: CHANGELOG, partition: p, startOffset: 0, restored: perPartition(part1, p), done: true });
            expect(r!.total).toBe(r!.endOffset - r!.startOffset);
          }
          await waitCommittedToEnd(b, APP, env.input);
          expect(plain(await storeContents([second.app]))).toEqual(plain(referenceFinals([...part1, ...part2])));
          await produceInput(b, env.input, part3);
          await waitCommittedToEnd(b, APP, env.input);
          expect(plain(await storeContents([second.app]))).toEqual(plain(referenceFinals(input)));
        } finally {
          await second.app.close();
        }
        const out = decodeOutput(env.output, await readTopic(b, env.output, guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted', false));
        expect(checkExact(out, input), `seed ${SEED}`).toEqual([]);
      });
    });
  }

  it(`exactly_once_v2: a cleanly closed instance restores only the changelog tail after its checkpoint (seed ${SEED})`, async () => {
    const env = embeddedEnv();
    const input = generateInput(SEED + 1);
    const [part1, part2, part3] = thirds(input);
    await env.createTopics(PARTITIONS, 2);
    const base: InProcessOptions = { appId: APP, logDir: env.logDir, stateDir: path.join(env.dir, 'state-a'), guarantee: 'exactly_once_v2', cache: false, graceMs: graceFor(DEFAULT_INPUT) };
    await env.withBackend(async (b) => {
      await produceInput(b, env.input, part1);
      const a = await startStatefulApp(b, base);
      try {
        await a.app.waitUntilRunning(10_000);
        await waitCommittedToEnd(b, APP, env.input);
      } finally {
        await a.app.close();
      }
      const checkpointed = await endOffsets(b, CHANGELOG);

      // Another instance (its own state dir, as on another machine) processes part 2.
      await produceInput(b, env.input, part2);
      const other = await startStatefulApp(b, { ...base, stateDir: path.join(env.dir, 'state-b') });
      try {
        await other.app.waitUntilRunning(10_000);
        await waitCommittedToEnd(b, APP, env.input);
      } finally {
        await other.app.close();
      }
      const otherDone = restoredByTask(other.restores);
      for (let p = 0; p < PARTITIONS; p++) expect(otherDone.get(`0_${p}`)?.restored, `task 0_${p} of the other instance`).toBe(perPartition(part1, p));

      // Back on the first state dir: only part 2's changelog records are replayed.
      const again = await startStatefulApp(b, base);
      try {
        await again.app.waitUntilRunning(10_000);
        const done = restoredByTask(again.restores);
        for (let p = 0; p < PARTITIONS; p++) {
          const r = done.get(`0_${p}`);
          expect(r, `restore of task 0_${p}`).toMatchObject({ partition: p, startOffset: checkpointed.get(p), restored: perPartition(part2, p) });
          expect(r!.total).toBe(r!.endOffset - r!.startOffset);
          expect(r!.restored).toBeLessThan(perPartition([...part1, ...part2], p));
          // Progress was reported as records arrived, never more than the total.
          for (const e of again.restores.filter((x) => x.taskId === `0_${p}`)) expect(e.restored).toBeLessThanOrEqual(e.total);
        }
        expect(plain(await storeContents([again.app]))).toEqual(plain(referenceFinals([...part1, ...part2])));
        await produceInput(b, env.input, part3);
        await waitCommittedToEnd(b, APP, env.input);
        expect(plain(await storeContents([again.app]))).toEqual(plain(referenceFinals(input)));
      } finally {
        await again.app.close();
      }
      const out = decodeOutput(env.output, await readTopic(b, env.output, 'read_committed', false));
      expect(checkExact(out, input), `seed ${SEED + 1}`).toEqual([]);
    });
  });

  it(`at_least_once: after a SIGKILL the restart replays only the changelog tail after the last commit's checkpoint (seed ${SEED + 2})`, async () => {
    const env = embeddedEnv();
    const input = generateInput(SEED + 2);
    await env.createTopics(PARTITIONS, 2);
    await env.withBackend((b) => produceInput(b, env.input, input));
    const args: ChildArgs = { appId: APP, logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee: 'at_least_once', cache: false, graceMs: graceFor(DEFAULT_INPUT), throttleMs: 2 };
    const taskDir = (p: number) => path.join(args.stateDir, APP, `0_${p}`);
    // Kill a running child until every task has a checkpoint and the changelog holds records after
    // one of them (a kill right after a commit leaves none); the state dir is kept, so each child
    // continues.
    let checkpoints = new Map<number, number | undefined>();
    let ends = new Map<number, number>();
    for (let attempt = 0; attempt < 8; attempt++) {
      await runAndKill(args, 200);
      ends = await env.withBackend((b) => endOffsets(b, CHANGELOG));
      checkpoints = new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, readCheckpoint(taskDir(p), silentLogger)?.get(tpKey(CHANGELOG, p))]));
      const all = [...checkpoints];
      if (all.every(([, cp]) => cp !== undefined && cp > 0) && all.some(([p, cp]) => cp! < ends.get(p)!)) break;
    }
    await env.withBackend(async (b) => {
      const h = await startStatefulApp(b, { ...args, graceMs: args.graceMs });
      try {
        await h.app.waitUntilRunning(10_000);
        const done = restoredByTask(h.restores);
        let tail = 0;
        for (let p = 0; p < PARTITIONS; p++) {
          const cp = checkpoints.get(p);
          expect(cp, `checkpoint of task 0_${p} after the kill`).toBeGreaterThan(0);
          // Only [checkpoint, end) is replayed; at-least-once reads every offset (no markers).
          expect(done.get(`0_${p}`), `restore of task 0_${p}`).toMatchObject({ startOffset: cp, endOffset: ends.get(p), restored: ends.get(p)! - cp! });
          tail += ends.get(p)! - cp!;
        }
        expect(tail, 'changelog records after the checkpoints').toBeGreaterThan(0);
        await waitCommittedToEnd(b, APP, env.input);
        // The store holds what each window emitted last.
        const out = decodeOutput(env.output, await readTopic(b, env.output, 'read_uncommitted', false));
        const lastOut = new Map(out.map((o) => [o.windowKey, o.value]));
        expect(plain(await storeContents([h.app]))).toEqual(plain(lastOut));
        expect(checkAtLeastOnce(out, input).problems, `seed ${SEED + 2}`).toEqual([]);
      } finally {
        await h.app.close();
      }
    });
  });

  // A changelog partition holding only an aborted transaction (an instance killed before its first
  // commit) delivers no record to the read_committed restore consumer; the embedded consumer reports
  // the progress with an empty batch, so the restorer sees the stable end instead of waiting its
  // 5 s idle timeout.
  it('exactly_once_v2: a changelog holding only an aborted transaction restores without waiting for the idle timeout', async () => {
    const env = embeddedEnv();
    await env.createTopics(1, 1);
    await env.withBackend(async (b) => {
      const admin = b.admin();
      await admin.createTopics([{ name: CHANGELOG, partitions: 1, config: { 'cleanup.policy': 'compact,delete' } }]);
      await admin.close();
      const p = b.producer({ transactionalId: `${APP}-0_0` });
      await p.beginTransaction();
      await p.send([{ topic: CHANGELOG, partition: 0, key: Buffer.alloc(12), value: Buffer.from('{"count":1,"sum":1,"ids":[0]}'), timestamp: 1 }]);
      await p.abortTransaction();
      await p.close();
      const logger = recordingLogger();
      const h = await startStatefulApp(b, { appId: APP, logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee: 'exactly_once_v2', cache: false, graceMs: 60_000, logger });
      try {
        await h.app.waitUntilRunning(10_000);
      } finally {
        await h.app.close();
      }
      expect(restoredByTask(h.restores).get('0_0')?.restored).toBe(0);
      // Waiting out the idle timeout is what the restorer reports as a warning (no wall clock here:
      // the machine's speed must not decide the test).
      expect(logger.lines.filter((l) => l.msg.includes('no more records arrived'))).toEqual([]);
    });
  });
});
