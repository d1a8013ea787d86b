/**
 * Quality bar: a windowed aggregation under processing.guarantee=exactly_once_v2, SIGKILLed at
 * random points (child process on the embedded log, LevelDB window store, commit.interval.ms 100,
 * so a kill usually lands inside a transaction that already sent records), restarted with its
 * state dir kept or deleted: the read_committed output equals the reference model exactly.
 * Cache off: every (key, window) emits exactly the reference's sequence of updates (no duplicates,
 * no gaps). Cache on: each window emits a strictly advancing subsequence of the reference's
 * updates (never a state the reference does not pass through) ending at its final value.
 *
 * 7 scenarios x 3 kills = 21 kill/restart runs, then a clean in-process finish each.
 * STREAMWRIGHT_CRASH_SEED=<n> replays the random choices (input, kill delays, state wipes; not the
 * exact kill instant); failures print the seed. More runs: `npx tsx scripts/crash-soak.ts [runs]`.
 */
import { describe, expect, it } from 'vitest';
import { describeOutcome, runCrashScenario, type CrashOutcome } from './fixtures/stateful-crash-harness.js';
import { embeddedEnv } from './fixtures/stateful-log-env.js';
import { checkCachedExact, checkExact } from './fixtures/stateful-model.js';

const BASE_SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCENARIOS = [false, false, false, false, false, true, true].map((cache, i) => ({ cache, seed: BASE_SEED + i }));

describe('stateful app under SIGKILL, exactly_once_v2 (embedded log)', () => {
  const outcomes: CrashOutcome[] = [];

  for (const { cache, seed } of SCENARIOS) {
    const what = cache ? 'cache on: windows advance through reference states only, ending at the reference' : 'cache off: committed output = the reference updates, exactly';
    it(`${what} (seed ${seed})`, async () => {
      const o = await runCrashScenario(embeddedEnv(), { seed, guarantee: 'exactly_once_v2', cache, kills: 3, wipeChance: 0.4, firstKillMinMs: 150 });
      outcomes.push(o);
      expect(cache ? checkCachedExact(o.output, o.input) : checkExact(o.output, o.input), describeOutcome(o)).toEqual([]);
    });
  }

  it('killed the children mid-input, with state dirs both kept and deleted', () => {
    const kills = outcomes.flatMap((o) => o.kills);
    expect(kills.length).toBe(SCENARIOS.length * 3);
    // The per-record throttle keeps the first child busy well past its kill (at most 400 ms after
    // RUNNING), so every first kill lands mid-input; later children may find little work left, and
    // whether their kills land mid-input depends on the machine's speed, so it is not required.
    outcomes.forEach((o, i) => expect(o.kills[0].committedAtKill, `scenario ${i}: ${describeOutcome(o)}`).toBeLessThan(o.input.length));
    expect(kills.some((k) => k.wipedBefore) || outcomes.some((o) => o.wipedBeforeFinal), `base seed ${BASE_SEED}`).toBe(true);
  });
});
