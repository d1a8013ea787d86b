import { pathToFileURL } from 'node:url';
import type { FetchBatch } from '../src/backend/backend-types.js';
import { StreamsBuilder } from '../src/dsl/index.js';
import type { Header } from '../src/graph/processor-types.js';
import type { Serde } from '../src/graph/serde-types.js';
import { silentLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import type { RecordCollector } from '../src/runtime/record-collector.js';
import { StreamTask } from '../src/runtime/stream-task.js';
import { elapsed, median, pairedRatio, pairedRuns, startStopwatch } from './bench-stats.js';

/**
 * Benchmark (a): per-record overhead of the runtime. Pre-built in-memory records go through
 * stream(source).filter().mapValues().to(sink) inside a real StreamTask (the DSL builds the
 * topology, the task wires the same operators StreamsApp uses), fed FetchBatch objects directly:
 * no log, no serialization (a pass-through serde hands the pre-built objects through unchanged),
 * no event loop. The collector counts records and keeps the last one.
 *
 * The baseline is a hand-written loop over the very same FetchBatch columns doing the same
 * filter + map + collect with the same predicate and mapper functions.
 *
 * Throughput is records per CPU-second of the process (user + system, all threads), which on a
 * shared machine is steadier than the wall clock for this synchronous, single-threaded work; the
 * wall-clock rates are reported alongside.
 */

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
}

/** 'q1': Nexmark q1, a new bid with the price converted; 'number': just the converted price. */
export type MapperKind = 'q1' | 'number';

export interface RuntimePipelineResult {
  readonly mapper: MapperKind;
  readonly records: number;
  readonly distinct: number;
  readonly batchSize: number;
  readonly warmups: number;
  /** Median of the per-round ratios runtime / loop. */
  readonly ratio: number;
  /** Median records per CPU-second through the StreamTask. */
  readonly runtimeRecordsPerSec: number;
  /** Median records per CPU-second of the hand-written loop. */
  readonly loopRecordsPerSec: number;
  readonly runtimeRuns: readonly number[];
  readonly loopRuns: readonly number[];
  /** The same runs by the wall clock (records/s), for reference. */
  readonly runtimeWallRuns: readonly number[];
  readonly loopWallRuns: readonly number[];
}

const predicate = (_k: unknown, v: Bid): boolean => v.auction % 10 !== 0;
const mappers: Record<MapperKind, (v: Bid) => unknown> = {
  q1: (v) => ({ auction: v.auction, bidder: v.bidder, price: v.price * 0.908 }),
  number: (v) => v.price * 0.908,
};

/** Hands values through untouched, so the benchmark measures the runtime, not a serde. */
const passThrough: Serde<unknown> = {
  name: 'PassThrough',
  serialize: (_topic, data) => data as Buffer | null,
  deserialize: (_topic, data) => data,
};

/** Pre-built batches: `distinct` records (cycled to reach the total), `batchSize` per batch. */
function buildBatches(distinct: number, batchSize: number): FetchBatch[] {
  const batches: FetchBatch[] = [];
  let offset = 0;
  for (let start = 0; start < distinct; start += batchSize) {
    const size = Math.min(batchSize, distinct - start);
    const offsets: number[] = [];
    const timestamps: number[] = [];
    const keys: (Buffer | null)[] = [];
    const values: (Buffer | null)[] = [];
    const headers: (readonly Header[] | undefined)[] = [];
    for (let i = 0; i < size; i++, offset++) {
      offsets.push(offset);
      timestamps.push(1_700_000_000_000 + offset);
      keys.push(null);
      const bid: Bid = { auction: (offset * 7919) % 1000, bidder: offset % 5000, price: 100 + (offset % 10_000) };
      values.push(bid as unknown as Buffer);
      headers.push(undefined);
    }
    batches.push({ topic: 'bids', partition: 0, size, offsets, timestamps, keys, values, headers, highWatermark: offset });
  }
  return batches;
}

class CountingCollector implements RecordCollector {
  count = 0;
  last: unknown = undefined;
  send(_topic: string, _partition: number | undefined, _key: Buffer | null, value: Buffer | null): void {
    this.count++;
    this.last = value;
  }
}

function newTask(collector: RecordCollector, mapper: (v: Bid) => unknown): StreamTask {
  const builder = new StreamsBuilder();
  builder
    .stream<null, Bid>('bids', { keySerde: passThrough as Serde<null>, valueSerde: passThrough as Serde<Bid> })
    .filter(predicate)
    .mapValues(mapper)
    .to('prices', { keySerde: passThrough as Serde<null>, valueSerde: passThrough as Serde<number> });
  const topology = builder.build();
  return new StreamTask({
    applicationId: 'bench-runtime-pipeline',
    topology,
    subtopology: topology.subtopologies[0],
    partition: 0,
    collector,
    metrics: new Metrics(),
    logger: silentLogger,
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
    deserializationHandler: 'log-and-fail',
    clock: Date.now,
    partitionsFor: () => 1,
  });
}

/** The expected output, computed independently of the runtime. */
interface Expected {
  readonly count: number;
  readonly lastPrice: number;
}

/** Price of a collected value, whichever mapper made it. */
const priceOf = (v: unknown): number => (typeof v === 'number' ? v : (v as Bid).price);

function expected(batches: readonly FetchBatch[], cycles: number, mapper: (v: Bid) => unknown): Expected {
  let count = 0;
  let lastPrice = NaN;
  for (const fb of batches) {
    for (let i = 0; i < fb.size; i++) {
      const v = fb.values[i] as unknown as Bid;
      if (predicate(null, v)) {
        count++;
        lastPrice = priceOf(mapper(v));
      }
    }
  }
  return { count: count * cycles, lastPrice };
}

function runRuntime(batches: readonly FetchBatch[], cycles: number, mapper: (v: Bid) => unknown, check: Expected, wall: number[]): number {
  const collector = new CountingCollector();
  const task = newTask(collector, mapper);
  const sw = startStopwatch();
  let records = 0;
  for (let c = 0; c < cycles; c++) {
    for (let b = 0; b < batches.length; b++) {
      task.addRecords(batches[b]);
      records += task.process();
    }
  }
  const t = elapsed(sw);
  task.close();
  if (collector.count !== check.count || priceOf(collector.last) !== check.lastPrice) {
    throw new Error(`runtime pipeline produced ${collector.count} records (last price ${priceOf(collector.last)}), expected ${check.count} (last price ${check.lastPrice})`);
  }
  wall.push(records / t.wallSecs);
  return records / t.cpuSecs;
}

function runLoop(batches: readonly FetchBatch[], cycles: number, mapper: (v: Bid) => unknown, check: Expected, wall: number[]): number {
  const collector = new CountingCollector();
  let records = 0;
  const sw = startStopwatch();
  for (let c = 0; c < cycles; c++) {
    for (let b = 0; b < batches.length; b++) {
      const fb = batches[b];
      const keys = fb.keys;
      const values = fb.values;
      for (let i = 0; i < fb.size; i++) {
        const v = values[i] as unknown as Bid;
        if (predicate(keys[i], v)) {
          collector.count++;
          collector.last = mapper(v);
        }
      }
      records += fb.size;
    }
  }
  const t = elapsed(sw);
  if (collector.count !== check.count || priceOf(collector.last) !== check.lastPrice) throw new Error(`hand loop produced ${collector.count} records, expected ${check.count}`);
  wall.push(records / t.wallSecs);
  return records / t.cpuSecs;
}

export async function benchRuntimePipeline(
  opts: { records?: number; distinct?: number; batchSize?: number; mapper?: MapperKind; warmups?: number; runs?: number; log?: (msg: string) => void } = {},
): Promise<RuntimePipelineResult> {
  const records = opts.records ?? 10_000_000;
  const distinct = Math.min(records, opts.distinct ?? 1_000_000);
  const batchSize = opts.batchSize ?? 5000;
  const log = opts.log ?? (() => undefined);
  if (records % distinct !== 0) throw new Error(`records (${records}) must be a multiple of distinct (${distinct})`);
  const cycles = records / distinct;
  const batches = buildBatches(distinct, batchSize);
  const kind = opts.mapper ?? 'q1';
  const mapper = mappers[kind];
  const check = expected(batches, cycles, mapper);
  const warmups = opts.warmups ?? 1;
  const loopWall: number[] = [];
  const runtimeWall: number[] = [];
  const runs = await pairedRuns(
    { warmups, runs: opts.runs ?? 5, label: `runtime pipeline (${kind} mapper), per CPU-second`, log },
    () => runLoop(batches, cycles, mapper, check, loopWall),
    () => runRuntime(batches, cycles, mapper, check, runtimeWall),
  );
  return {
    mapper: kind,
    records,
    distinct,
    batchSize,
    warmups,
    ratio: pairedRatio(runs),
    runtimeRecordsPerSec: Math.round(median(runs.subject)),
    loopRecordsPerSec: Math.round(median(runs.baseline)),
    runtimeRuns: runs.subject.map(Math.round),
    loopRuns: runs.baseline.map(Math.round),
    runtimeWallRuns: runtimeWall.slice(warmups).map(Math.round),
    loopWallRuns: loopWall.slice(warmups).map(Math.round),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchRuntimePipeline({ records: Number(process.env.BENCH_RECORDS ?? 10_000_000), mapper: (process.env.BENCH_MAPPER as MapperKind | undefined) ?? 'q1', log: console.log })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
