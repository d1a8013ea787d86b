/**
 * A processing failure inside a running stateful app (not a process crash): the stream thread dies
 * mid-transaction, the uncaught-exception handler answers REPLACE_THREAD, and a new thread in the
 * same process reopens the same state dir and resumes from the last commit. Under exactly_once_v2
 * the failed thread's open transaction (outputs and changelog records already sent) is aborted and
 * its possibly-dirty LevelDB state is wiped and restored, so the committed output equals the
 * reference updates exactly; under at_least_once only tails are repeated.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { decodeOutput, statefulConfig, statefulTopology, type Guarantee } from './fixtures/stateful-app-fixture.js';
import { waitCommittedToEnd } from './fixtures/stateful-app-helpers.js';
import { embeddedEnv, produceInput, readTopic } from './fixtures/stateful-log-env.js';
import { checkAtLeastOnce, checkCachedExact, checkExact, DEFAULT_INPUT, generateInput, graceFor, prng } from './fixtures/stateful-model.js';

const BASE_SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe.concurrent('stateful app: a failing stream thread is replaced', () => {
  const cases: { guarantee: Guarantee; cache: boolean }[] = [
    { guarantee: 'exactly_once_v2', cache: false },
    { guarantee: 'exactly_once_v2', cache: true },
    { guarantee: 'at_least_once', cache: false },
  ];
  cases.forEach(({ guarantee, cache }, i) => {
    const seed = BASE_SEED + i;
    it(`${guarantee}, cache ${cache ? 'on' : 'off'}: output matches the reference after three thread failures (seed ${seed})`, async () => {
      const env = embeddedEnv();
      const input = generateInput(seed);
      const rnd = prng(seed);
      // Three records in the last 60% of the input make the thread fail the first time they are
      // processed; 2 ms per record spreads the run over several commits, so each failure aborts a
      // transaction after earlier ones committed.
      const failAt = new Set(Array.from({ length: 3 }, () => Math.floor(input.length * (0.4 + 0.55 * rnd()))));
      const failed = new Set<number>();
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const onRecord = (_k: string, v: string) => {
        Atomics.wait(pause, 0, 0, 2);
        const id = Number(v.slice(0, v.indexOf(':')));
        if (failAt.has(id) && !failed.has(id)) {
          failed.add(id);
          throw new Error(`injected failure at input record ${id}`);
        }
      };
      await env.createTopics(DEFAULT_INPUT.partitions, 2);
      const config = statefulConfig({ appId: 'stateful-fail', logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee, cache });
      await env.withBackend(async (b) => {
        await produceInput(b, env.input, input);
        const app = new StreamsApp(statefulTopology(graceFor(DEFAULT_INPUT), { onRecord }), config, { logger: silentLogger, backend: b });
        const errors: string[] = [];
        app.setUncaughtExceptionHandler((e) => (errors.push(e.message), 'REPLACE_THREAD'));
        try {
          await app.start();
          await waitCommittedToEnd(b, 'stateful-fail', env.input, 30_000, () => (app.state === 'ERROR' ? `the app failed: ${errors.join('; ')}` : undefined));
        } finally {
          await app.close();
        }
        expect(failed.size, `seed ${seed}`).toBe(failAt.size);
        expect(errors).toHaveLength(failAt.size);
        const out = decodeOutput(env.output, await readTopic(b, env.output, guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted', false));
        const problems = guarantee === 'at_least_once' ? checkAtLeastOnce(out, input).problems : cache ? checkCachedExact(out, input) : checkExact(out, input);
        expect(problems, `seed ${seed}`).toEqual([]);
      });
    });
  });
});
