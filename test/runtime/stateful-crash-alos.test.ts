/**
 * Quality bar: the windowed aggregation of stateful-crash-eos.test.ts under at_least_once,
 * SIGKILLed at random points and restarted (state dir kept or deleted).
 *
 * What at-least-once promises (Kafka Streams semantics): nothing acknowledged is lost, but records
 * after the last commit are processed again. Outputs and changelog records are sent before offsets
 * are committed, so the restored state may already hold the records that are then replayed: a
 * window's aggregate can count a replayed record twice. The reference check is therefore exact on
 * structure: the aggregate's audit trail (`ids`) is the reference history with tails repeated
 * (never a gap, never a record of another window), count and sum agree with it, the final output
 * covers every reference record and ends with the window's last one, and a window without replays
 * equals the reference exactly.
 *
 * 4 scenarios x 3 kills = 12 kill/restart runs. STREAMWRIGHT_CRASH_SEED=<n> replays the random
 * choices; failures print the seed.
 */
import { describe, expect, it } from 'vitest';
import { describeOutcome, runCrashScenario, type CrashOutcome } from './fixtures/stateful-crash-harness.js';
import { embeddedEnv } from './fixtures/stateful-log-env.js';
import { checkAtLeastOnce } from './fixtures/stateful-model.js';

const BASE_SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31)) + 1_000;
const SCENARIOS = [false, false, false, true].map((cache, i) => ({ cache, seed: BASE_SEED + i }));

describe('stateful app under SIGKILL, at_least_once (embedded log)', () => {
  const outcomes: { o: CrashOutcome; replayedWindows: number }[] = [];

  for (const { cache, seed } of SCENARIOS) {
    it(`cache ${cache ? 'on' : 'off'}: no record lost, replays only repeat tails after a commit (seed ${seed})`, async () => {
      const o = await runCrashScenario(embeddedEnv(), { seed, guarantee: 'at_least_once', cache, kills: 3, wipeChance: 0.4, firstKillMinMs: 150 });
      const { problems, replayedWindows } = checkAtLeastOnce(o.output, o.input);
      outcomes.push({ o, replayedWindows });
      expect(problems, describeOutcome(o)).toEqual([]);
    });
  }

  it('the kills really made the app repeat work (so the checks above saw replays)', () => {
    expect(outcomes.flatMap((x) => x.o.kills)).toHaveLength(SCENARIOS.length * 3);
    // With cache off, changelog and output records go out every poll loop, several loops before a
    // commit: a kill then leaves state ahead of the committed offsets.
    expect(outcomes.reduce((n, x) => n + x.replayedWindows, 0), `base seed ${BASE_SEED}: ${outcomes.map((x) => describeOutcome(x.o)).join(' | ')}`).toBeGreaterThan(0);
  });
});
