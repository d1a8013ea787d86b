import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * Small statistics and timing helpers shared by the benchmarks. Benchmarks report medians of
 * several runs after warm-up runs, and ratios against a baseline measured in the same process.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median() of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The q-quantile (0..1) of the first `n` values of `sorted` (ascending), nearest-rank method:
 * the smallest value such that at least q·n values are <= it.
 */
export function quantileSorted(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n <= 0) throw new Error('quantile of an empty sample');
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[rank - 1];
}

/** Seconds elapsed since `t0` (from process.hrtime.bigint()). */
export function secondsSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** A point in time for both clocks: wall (hrtime) and this process's CPU time (all threads). */
export interface Stopwatch {
  readonly wall: bigint;
  readonly cpu: NodeJS.CpuUsage;
}

export function startStopwatch(): Stopwatch {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

/** Wall seconds and CPU seconds (user + system, every thread of the process) since `sw`. */
export function elapsed(sw: Stopwatch): { wallSecs: number; cpuSecs: number } {
  const cpu = process.cpuUsage(sw.cpu);
  return { wallSecs: secondsSince(sw.wall), cpuSecs: (cpu.user + cpu.system) / 1e6 };
}

let fullGc: (() => void) | undefined;

/** A full garbage collection: global.gc under --expose-gc, else enabled at run time (V8 flag). */
export function collectGarbage(): void {
  if (fullGc === undefined) {
    if (typeof globalThis.gc === 'function') fullGc = globalThis.gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      fullGc = vm.runInNewContext('gc') as () => void;
    }
  }
  fullGc();
}

/**
 * Gives the event loop and the GC a moment between runs. The full collection makes each run
 * start with an empty young generation and without the previous run's garbage, which would
 * otherwise be collected (and paid for) inside whichever run comes next.
 */
export async function settle(ms = 50): Promise<void> {
  collectGarbage();
  await new Promise((r) => setTimeout(r, ms));
}

export interface PairedRuns {
  /** Per measured run, the subject's and the baseline's figure (higher is better). */
  readonly subject: number[];
  readonly baseline: number[];
}

/**
 * Runs `warmups` unmeasured then `runs` measured rounds, alternating baseline and subject in each
 * round so that noise from other processes on the machine hits both alike.
 */
export async function pairedRuns(
  opts: { warmups: number; runs: number; label: string; log: (msg: string) => void },
  baseline: () => Promise<number> | number,
  subject: () => Promise<number> | number,
): Promise<PairedRuns> {
  const out: PairedRuns = { subject: [], baseline: [] };
  for (let r = 0; r < opts.warmups + opts.runs; r++) {
    const warm = r < opts.warmups;
    const b = await baseline();
    await settle();
    const s = await subject();
    await settle();
    opts.log(`  ${opts.label} ${warm ? 'warm-up' : `run ${r - opts.warmups + 1}/${opts.runs}`}: subject ${fmt(s)}, baseline ${fmt(b)} (${pct(s / b)})`);
    if (!warm) {
      out.subject.push(s);
      out.baseline.push(b);
    }
  }
  return out;
}

/** Median of the per-round ratios subject / baseline (each pair ran back to back). */
export function pairedRatio(runs: PairedRuns): number {
  return median(runs.subject.map((s, i) => s / runs.baseline[i]));
}

/** 12345678 -> "12.35M", 123456 -> "123.5K". */
export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return n.toFixed(2);
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
