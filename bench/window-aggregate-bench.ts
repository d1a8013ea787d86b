/**
 * Issue #3 benchmarks (a) and (b): Nexmark bids, tumbling 10 s count + sum(price) per auction,
 * `groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10_000)).aggregate(...)` run by a real
 * StreamTask (the operators and stores StreamsApp builds), fed FetchBatch objects directly (no log,
 * no serialization of the input; the store's changelog and the output go to a collector).
 *   (a) in-memory window store vs a hand-written loop doing the same aggregation with Maps;
 *   (b) LevelDB window store vs the in-memory one, both with the record cache
 *       (statestore.cache.max.bytes = 10 MiB) and a commit (flush of every store) every
 *       `commitEvery` records, as the runtime flushes at commit.
 * Every run checks that the final aggregate of every (auction, window) equals the baseline's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FetchBatch } from '../src/backend/backend-types.js';
import { StreamsBuilder, TimeWindows } from '../src/dsl/index.js';
import type { Windowed } from '../src/graph/processor-types.js';
import type { Serde } from '../src/graph/serde-types.js';
import type { RecordCollector } from '../src/runtime/record-collector.js';
import { Serdes } from '../src/serde/index.js';
import { openBenchTask, type BenchTask } from './bench-task-helpers.js';
import { elapsed, median, pairedRatio, pairedRuns, startStopwatch } from './bench-stats.js';
import { bidCycles, passThrough, type BidCycles } from './nexmark/bid-batches.js';
import type { Bid } from './nexmark/generator.js';

export const WINDOW_MS = 10_000;
export const CACHE_BYTES = 10 * 1024 * 1024;
const OUT = 'auction-stats';

export interface Agg {
  readonly count: number;
  readonly sum: number;
}

/** The aggregate as 16 bytes (two float64): what the changelog and LevelDB hold. */
export const aggSerde: Serde<Agg> = {
  name: 'CountSum',
  serialize: (_topic, a) => {
    if (a === null) return null;
    const b = Buffer.allocUnsafe(16);
    b.writeDoubleLE(a.count, 0);
    b.writeDoubleLE(a.sum, 8);
    return b;
  },
  deserialize: (_topic, b) => (b === null ? (null as unknown as Agg) : { count: b.readDoubleLE(0), sum: b.readDoubleLE(8) }),
};

/** Numeric id of (auction, window): window index * 2^21 + auction (auction ids < 2^21). */
export const windowId = (auction: number, windowStart: number): number => (windowStart / WINDOW_MS) * 2097152 + auction;

/**
 * Where both sides put results: (window id, aggregate) in emission order, in arrays (cheap to
 * append). finals() keeps the last aggregate per window, outside the timed part.
 */
export class ResultLog {
  readonly ids: number[] = [];
  readonly aggs: Agg[] = [];
  add(id: number, a: Agg): void {
    this.ids.push(id);
    this.aggs.push(a);
  }
  finals(): Map<number, Agg> {
    const m = new Map<number, Agg>();
    for (let i = 0; i < this.ids.length; i++) m.set(this.ids[i], this.aggs[i]);
    return m;
  }
}

/** The sink's and the changelog's collector: output records go to the result log. */
class ResultCollector implements RecordCollector {
  readonly results = new ResultLog();
  changelogRecords = 0;
  send(topic: string, _p: number | undefined, key: Buffer | null, value: Buffer | null): void {
    if (topic !== OUT) {
      this.changelogRecords++;
      return;
    }
    const w = key as unknown as Windowed<number>;
    this.results.add(windowId(w.key, w.start), value as unknown as Agg);
  }
}

export interface Checksum {
  readonly windows: number;
  readonly count: number;
  readonly sum: number;
  /** Σ count × (window id mod 1e6): catches aggregates landing on the wrong key or window. */
  readonly weighted: number;
}

export function checksum(finals: ReadonlyMap<number, Agg>): Checksum {
  let count = 0;
  let sum = 0;
  let weighted = 0;
  for (const [id, a] of finals) {
    count += a.count;
    sum += a.sum;
    weighted += a.count * (id % 1_000_003);
  }
  return { windows: finals.size, count, sum, weighted };
}

const sameChecksum = (a: Checksum, b: Checksum): boolean => a.windows === b.windows && a.count === b.count && a.sum === b.sum && a.weighted === b.weighted;

/** The baseline: a hand-written loop, one Map of aggregates per open window, mutated in place;
 * a window's aggregates are emitted once stream time passes its end (no grace). */
export function handLoop(data: BidCycles, out: ResultLog): void {
  const open = new Map<number, Map<number, { count: number; sum: number }>>();
  let streamTime = -1;
  let curStart = -1;
  let cur: Map<number, { count: number; sum: number }> | undefined;
  for (const cycle of data.cycles) {
    for (let b = 0; b < cycle.length; b++) {
      const fb = cycle[b];
      const keys = fb.keys;
      const values = fb.values;
      const ts = fb.timestamps;
      for (let i = 0; i < fb.size; i++) {
        const t = ts[i];
        if (t > streamTime) {
          streamTime = t;
          for (const [start, m] of open) {
            if (start + WINDOW_MS > streamTime) continue;
            for (const [auction, a] of m) out.add(windowId(auction, start), a);
            open.delete(start);
            if (start === curStart) curStart = -1;
          }
        }
        const start = t - (t % WINDOW_MS);
        if (start !== curStart) {
          cur = open.get(start);
          if (cur === undefined) open.set(start, (cur = new Map()));
          curStart = start;
        }
        const auction = keys[i] as unknown as number;
        const a = cur!.get(auction);
        const price = (values[i] as unknown as Bid).price;
        if (a === undefined) cur!.set(auction, { count: 1, sum: price });
        else {
          a.count++;
          a.sum += price;
        }
      }
    }
  }
  for (const [start, m] of open) for (const [auction, a] of m) out.add(windowId(auction, start), a);
}

async function openPipeline(persistent: boolean, dir: string): Promise<{ bench: BenchTask; collector: ResultCollector }> {
  const builder = new StreamsBuilder();
  builder
    .stream<number, Bid>('bids', { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Bid> })
    .groupByKey({ keySerde: Serdes.Long(), valueSerde: passThrough as Serde<Bid> })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .aggregate<Agg>(
      () => ({ count: 0, sum: 0 }),
      (_k, v, a) => ({ count: a.count + 1, sum: a.sum + v.price }),
      { storeName: 'auction-stats-store', keySerde: Serdes.Long(), valueSerde: aggSerde, storeType: persistent ? 'leveldb' : 'in-memory' },
    )
    .toStream()
    .to(OUT, { keySerde: passThrough as Serde<Windowed<number>>, valueSerde: passThrough as Serde<Agg> });
  const collector = new ResultCollector();
  const bench = await openBenchTask({ topology: builder.build(), collector, stateDir: dir, inMemory: !persistent, cacheMaxBytes: CACHE_BYTES, applicationId: 'bench-window-aggregate' });
  return { bench, collector };
}

/** One timed pass of the StreamTask; returns records per CPU-second (wall rate pushed to `wall`). */
async function runTask(data: BidCycles, persistent: boolean, dir: string, commitEvery: number, expected: Checksum, wall: number[]): Promise<number> {
  const taskDir = fs.mkdtempSync(path.join(dir, persistent ? 'level-' : 'memory-'));
  const { bench: p, collector } = await openPipeline(persistent, taskDir);
  let sinceCommit = 0;
  let records = 0;
  const sw = startStopwatch();
  for (const cycle of data.cycles) {
    for (let b = 0; b < cycle.length; b++) {
      const fb: FetchBatch = cycle[b];
      p.task.addRecords(fb);
      records += p.task.needsAsync ? await p.task.processAsync() : p.task.process();
      sinceCommit += fb.size;
      if (sinceCommit >= commitEvery) {
        sinceCommit = 0;
        await p.flush();
      }
    }
  }
  await p.flush();
  const t = elapsed(sw);
  await p.close();
  fs.rmSync(taskDir, { recursive: true, force: true });
  const got = checksum(collector.results.finals());
  if (!sameChecksum(got, expected)) throw new Error(`window aggregation (${persistent ? 'LevelDB' : 'in-memory'} store) checksum ${JSON.stringify(got)} differs from the hand loop's ${JSON.stringify(expected)}`);
  if (records !== data.records) throw new Error(`processed ${records} of ${data.records} records`);
  wall.push(records / t.wallSecs);
  return records / t.cpuSecs;
}

function runLoop(data: BidCycles, expected: Checksum | undefined, wall: number[]): number {
  const out = new ResultLog();
  const sw = startStopwatch();
  handLoop(data, out);
  const t = elapsed(sw);
  if (expected !== undefined && !sameChecksum(checksum(out.finals()), expected)) throw new Error('hand loop checksum changed between runs');
  wall.push(data.records / t.wallSecs);
  return data.records / t.cpuSecs;
}

export interface PairedFigure {
  readonly ratio: number;
  readonly value: number;
  readonly baseline: number;
  readonly runs: readonly number[];
  readonly baselineRuns: readonly number[];
  readonly wallRuns: readonly number[];
  readonly baselineWallRuns: readonly number[];
}

export interface WindowAggregateResult {
  readonly records: number;
  readonly distinct: number;
  readonly batchSize: number;
  readonly eventsPerSecond: number;
  readonly commitEvery: number;
  readonly windows: number;
  readonly checksum: Checksum;
  readonly warmups: number;
  /** (a) in-memory StreamTask vs hand loop, records per CPU-second. */
  readonly memoryVsLoop: PairedFigure;
  /** (b) LevelDB StreamTask vs in-memory StreamTask, records per CPU-second. */
  readonly levelVsMemory: PairedFigure;
}

function figure(runs: { subject: number[]; baseline: number[] }, wall: number[], baseWall: number[], warmups: number): PairedFigure {
  return {
    ratio: pairedRatio(runs),
    value: Math.round(median(runs.subject)),
    baseline: Math.round(median(runs.baseline)),
    runs: runs.subject.map(Math.round),
    baselineRuns: runs.baseline.map(Math.round),
    wallRuns: wall.slice(warmups).map(Math.round),
    baselineWallRuns: baseWall.slice(warmups).map(Math.round),
  };
}

export async function benchWindowAggregate(opts: { records?: number; distinct?: number; batchSize?: number; commitEvery?: number; runs?: number; levelRuns?: number; warmups?: number; dir: string; log?: (msg: string) => void }): Promise<WindowAggregateResult> {
  const records = opts.records ?? 10_000_000;
  const distinct = Math.min(records, opts.distinct ?? 1_000_000);
  if (records % distinct !== 0) throw new Error(`records (${records}) must be a multiple of distinct (${distinct})`);
  const batchSize = opts.batchSize ?? 5000;
  const commitEvery = opts.commitEvery ?? 1_000_000;
  const warmups = opts.warmups ?? 1;
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(opts.dir, { recursive: true });
  const data = bidCycles({ distinct, cycles: records / distinct, batchSize });
  const ref = new ResultLog();
  handLoop(data, ref);
  const expected = checksum(ref.finals());
  const loopWall: number[] = [];
  const memWall: number[] = [];
  const a = await pairedRuns(
    { warmups, runs: opts.runs ?? 5, label: '(a) window aggregate, in-memory store vs hand loop, per CPU-second', log },
    () => runLoop(data, expected, loopWall),
    () => runTask(data, false, opts.dir, commitEvery, expected, memWall),
  );
  const memWall2: number[] = [];
  const levelWall: number[] = [];
  const b = await pairedRuns(
    { warmups, runs: opts.levelRuns ?? 3, label: '(b) window aggregate, LevelDB store vs in-memory store, per CPU-second', log },
    () => runTask(data, false, opts.dir, commitEvery, expected, memWall2),
    () => runTask(data, true, opts.dir, commitEvery, expected, levelWall),
  );
  return {
    records,
    distinct,
    batchSize,
    eventsPerSecond: data.eventsPerSecond,
    commitEvery,
    windows: expected.windows,
    checksum: expected,
    warmups,
    memoryVsLoop: figure(a, memWall, loopWall, warmups),
    levelVsMemory: figure(b, levelWall, memWall2, warmups),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-window-bench-'));
  benchWindowAggregate({ records: Number(process.env.BENCH_RECORDS ?? 10_000_000), dir, runs: Number(process.env.BENCH_RUNS ?? 5), log: console.log })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}
