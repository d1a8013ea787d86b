/**
 * Crash soak for stateful apps: many SIGKILL/restart runs of the windowed-aggregation fixture on
 * the embedded log, each checked against the reference model (see test/runtime/stateful-crash-*.test.ts).
 *
 *   npx tsx scripts/crash-soak.ts [runs] [--seed <n>] [--kills <n>] [--only eos|alos|joins]
 *
 * Runs rotate (by seed) through exactly_once_v2 / at_least_once with the record cache off and on; every run
 * kills its child `kills` times (default 3) a random 50-400 ms after it is RUNNING, deleting the
 * state dir before a restart with probability 0.4, then finishes in-process. Prints one line per
 * run and the seed of every failure; exits 1 if any run failed.
 * `--only joins` runs the join app of test/runtime/join-crash-*.test.ts instead (stream-stream
 * inner/left and foreign-key joins), alternating exactly_once_v2 / at_least_once by seed.
 */
import { describeOutcome, runCrashScenario } from '../test/runtime/fixtures/stateful-crash-harness.js';
import { embeddedEnv } from '../test/runtime/fixtures/stateful-log-env.js';
import { checkAtLeastOnce, checkCachedExact, checkExact } from '../test/runtime/fixtures/stateful-model.js';
import type { Guarantee } from '../test/runtime/fixtures/stateful-app-fixture.js';
import { runJoinSoakRun } from '../test/runtime/fixtures/join-crash-soak.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && (i === 0 || !all[i - 1].startsWith('--')));
  const runs = Number(positional[0] ?? 20);
  const baseSeed = Number(option('seed') ?? process.env.STREAMWRIGHT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const kills = Number(option('kills') ?? 3);
  const only = option('only');
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(kills) || kills < 1 || (only !== undefined && only !== 'eos' && only !== 'alos' && only !== 'joins')) {
    process.stderr.write('usage: npx tsx scripts/crash-soak.ts [runs >= 1] [--seed <n>] [--kills <n >= 1>] [--only eos|alos|joins]\n');
    return 2;
  }
  const modes: { guarantee: Guarantee; cache: boolean }[] = [
    { guarantee: 'exactly_once_v2', cache: false },
    { guarantee: 'exactly_once_v2', cache: true },
    { guarantee: 'at_least_once', cache: false },
    { guarantee: 'at_least_once', cache: true },
  ].filter((m) => only === undefined || (only === 'eos') === (m.guarantee === 'exactly_once_v2')) as { guarantee: Guarantee; cache: boolean }[];
  process.stdout.write(`crash soak: ${runs} runs x ${kills} kills, base seed ${baseSeed}\n`);
  const failed: number[] = [];
  let midway = 0;
  let replayed = 0;
  const started = Date.now();
  for (let i = 0; i < runs && only === 'joins'; i++) {
    const seed = baseSeed + i;
    const t = Date.now();
    const r = await runJoinSoakRun(seed, kills);
    midway += r.midway;
    replayed += r.repeated;
    if (r.problems.length > 0) failed.push(seed);
    process.stdout.write(`${r.problems.length === 0 ? 'ok  ' : 'FAIL'} ${i + 1}/${runs} ${r.line} (${Date.now() - t} ms)\n`);
    for (const p of r.problems.slice(0, 10)) process.stdout.write(`       ${p}\n`);
  }
  for (let i = 0; i < runs && only !== 'joins'; i++) {
    const seed = baseSeed + i;
    const mode = modes[seed % modes.length]; // from the seed, so `1 --seed <seed>` replays the same mode
    const t = Date.now();
    let line: string;
    let problems: string[];
    try {
      const o = await runCrashScenario(embeddedEnv('sw-soak-'), { seed, ...mode, kills, wipeChance: 0.4 });
      midway += o.kills.filter((k) => k.committedAtKill < o.input.length).length;
      if (mode.guarantee === 'at_least_once') {
        const r = checkAtLeastOnce(o.output, o.input);
        problems = r.problems;
        replayed += r.replayedWindows;
      } else problems = mode.cache ? checkCachedExact(o.output, o.input) : checkExact(o.output, o.input);
      line = describeOutcome(o);
    } catch (e) {
      problems = [`run failed: ${(e as Error).message}`];
      line = `seed=${seed} ${mode.guarantee} cache=${mode.cache ? 'on' : 'off'}`;
    }
    if (problems.length > 0) failed.push(seed);
    process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${i + 1}/${runs} ${line} (${Date.now() - t} ms)\n`);
    for (const p of problems.slice(0, 10)) process.stdout.write(`       ${p}\n`);
  }
  process.stdout.write(
    `${runs - failed.length}/${runs} runs passed in ${Math.round((Date.now() - started) / 1000)} s; ${midway}/${runs * kills} kills landed mid-input; ` +
      `${replayed} ${only === 'joins' ? 'at-least-once join results repeated by replays' : 'at-least-once windows double-counted replayed records'} (allowed).\n`,
  );
  if (failed.length > 0) process.stdout.write(`failed seeds: ${failed.join(', ')} (replay one: npx tsx scripts/crash-soak.ts 1 --seed <seed>${only === undefined ? '' : ` --only ${only}`})\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`crash soak failed to run: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
