/**
 * Issue #4 benchmarks: joins on Nexmark data through a real StreamTask (two source topics, one
 * co-partitioned sub-topology, in-memory stores), each against a hand-written hash join over the
 * same records in the same run (records per CPU-second; wall rates alongside).
 *   - stream–stream: bids ⋈ auctions on auction id, JoinWindows.ofTimeDifferenceWithNoGrace(10 s);
 *   - stream–table: bids ⋈ KTable(auctions) on auction id.
 * Input: `bids` Nexmark bids with their persons dropped and their auctions (about 1 per 15 bids)
 * on a second topic, keyed by auction id, pre-built objects handed through by a pass-through
 * serde. The join buffers hold bytes (the engine's design: they are changelogged), so the join
 * uses compact binary serdes for bids and auctions; the hand join keeps objects.
 * The hand joins visit the two topics' records in the order the task processes them (see
 * merged()). Both sides' outputs are checked equal (count and order-independent sums).
 */
import { pathToFileURL } from 'node:url';
import { JoinWindows, StreamsBuilder } from '../src/dsl/index.js';
import type { Serde } from '../src/graph/serde-types.js';
import type { Topology } from '../src/graph/topology.js';
import type { RecordCollector } from '../src/runtime/record-collector.js';
import { Serdes } from '../src/serde/index.js';
import { elapsed, median, pairedRatio, pairedRuns, startStopwatch } from './bench-stats.js';
import { openBenchTask } from './bench-task-helpers.js';
import { passThrough } from './nexmark/bid-batches.js';
import type { Auction, Bid } from './nexmark/generator.js';
import { auctionSerde, bidSerde, joinInput, merged, type JoinInput } from './nexmark/join-input.js';

export { JOIN_EVENTS_PER_SECOND, joinInput } from './nexmark/join-input.js';

const WINDOW_MS = 10_000;
const OUT = 'bid-auction';

export interface Joined {
  readonly auction: number;
  readonly price: number;
  readonly seller: number;
  readonly category: number;
}

const joiner = (b: Bid, a: Auction): Joined => ({ auction: a.id, price: b.price, seller: a.seller, category: a.category });

/** Counts results and sums their fields (order-independent). */
export class JoinSums implements RecordCollector {
  count = 0;
  price = 0;
  weighted = 0;
  add(j: Joined, ts: number): void {
    this.count++;
    this.price += j.price;
    this.weighted += (j.auction % 1009) * j.category + j.seller + (ts % 1013);
  }
  send(topic: string, _p: number | undefined, _k: Buffer | null, value: Buffer | null, ts: number): void {
    if (topic === OUT) this.add(value as unknown as Joined, ts);
  }
}

interface Buffered<V> {
  readonly ts: number;
  readonly v: V;
}

/** Hand-written symmetric hash join within ±WINDOW_MS; buffers expire after 2 windows of stream time. */
function handStreamStream(input: JoinInput, out: JoinSums): void {
  const bidBuf = new Map<number, Buffered<Bid>[]>();
  const aucBuf = new Map<number, Buffered<Auction>[]>();
  let streamTime = -1;
  let swept = -1;
  const sweep = <V>(m: Map<number, Buffered<V>[]>, cutoff: number): void => {
    for (const [k, list] of m) {
      let drop = 0;
      while (drop < list.length && list[drop].ts < cutoff) drop++;
      if (drop === list.length) m.delete(k);
      else if (drop > 0) list.splice(0, drop);
    }
  };
  const advance = (t: number): void => {
    if (t > streamTime) streamTime = t;
    if (streamTime - swept >= 1000) {
      swept = streamTime;
      sweep(bidBuf, streamTime - 2 * WINDOW_MS);
      sweep(aucBuf, streamTime - 2 * WINDOW_MS);
    }
  };
  merged(
    input,
    (fb, i) => {
      const t = fb.timestamps[i];
      advance(t);
      const a = fb.values[i] as unknown as Auction;
      const bids = bidBuf.get(a.id);
      if (bids !== undefined) for (const b of bids) if (b.ts >= t - WINDOW_MS && b.ts <= t + WINDOW_MS) out.add(joiner(b.v, a), b.ts > t ? b.ts : t);
      const list = aucBuf.get(a.id);
      if (list === undefined) aucBuf.set(a.id, [{ ts: t, v: a }]);
      else list.push({ ts: t, v: a });
    },
    (fb, i) => {
      const t = fb.timestamps[i];
      advance(t);
      const b = fb.values[i] as unknown as Bid;
      const aucs = aucBuf.get(b.auction);
      if (aucs !== undefined) for (const a of aucs) if (a.ts >= t - WINDOW_MS && a.ts <= t + WINDOW_MS) out.add(joiner(b, a.v), a.ts > t ? a.ts : t);
      const list = bidBuf.get(b.auction);
      if (list === undefined) bidBuf.set(b.auction, [{ ts: t, v: b }]);
      else list.push({ ts: t, v: b });
    },
  );
}

/** Hand-written stream–table join: a Map of the latest auction per id. */
function handStreamTable(input: JoinInput, out: JoinSums): void {
  const table = new Map<number, Auction>();
  merged(
    input,
    (fb, i) => void table.set(fb.keys[i] as unknown as number, fb.values[i] as unknown as Auction),
    (fb, i) => {
      const b = fb.values[i] as unknown as Bid;
      const a = table.get(b.auction);
      if (a !== undefined) out.add(joiner(b, a), fb.timestamps[i]);
    },
  );
}

export function streamStreamTopology(): Topology {
  const builder = new StreamsBuilder();
  const bids = builder.stream<number, Bid>('bids', { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Bid> });
  const auctions = builder.stream<number, Auction>('auctions', { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Auction> });
  bids
    .join(auctions, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(WINDOW_MS), { keySerde: Serdes.Long(), valueSerde: bidSerde, otherValueSerde: auctionSerde, storeType: 'in-memory' })
    .to(OUT, { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Joined> });
  return builder.build();
}

export function streamTableTopology(): Topology {
  const builder = new StreamsBuilder();
  const bids = builder.stream<number, Bid>('bids', { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Bid> });
  const auctions = builder.table<number, Auction>('auctions', { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Auction> }, { keySerde: Serdes.Long(), valueSerde: auctionSerde, storeType: 'in-memory' });
  bids.join(auctions, joiner, { keySerde: Serdes.Long(), valueSerde: bidSerde, otherValueSerde: auctionSerde }).to(OUT, { keySerde: passThrough as Serde<number>, valueSerde: passThrough as Serde<Joined> });
  return builder.build();
}

const same = (a: JoinSums, b: JoinSums): boolean => a.count === b.count && a.price === b.price && a.weighted === b.weighted;
const show = (s: JoinSums): string => JSON.stringify({ count: s.count, price: s.price, weighted: s.weighted });

async function runTask(input: JoinInput, topology: Topology, expected: JoinSums, dir: string, wall: number[]): Promise<number> {
  const sums = new JoinSums();
  const t = await openBenchTask({ topology, collector: sums, stateDir: dir, inMemory: true, cacheMaxBytes: 10 * 1024 * 1024, applicationId: 'bench-join' });
  const records = input.bids + input.auctions;
  let done = 0;
  const sw = startStopwatch();
  for (const c of input.chunks) {
    t.task.addRecords(c.auctions);
    t.task.addRecords(c.bids);
    done += t.task.needsAsync ? await t.task.processAsync() : t.task.process();
  }
  await t.flush();
  const e = elapsed(sw);
  await t.close();
  if (done !== records) throw new Error(`join task processed ${done} of ${records} records`);
  if (!same(sums, expected)) throw new Error(`join output ${show(sums)} differs from the hand join's ${show(expected)}`);
  wall.push(records / e.wallSecs);
  return records / e.cpuSecs;
}

function runHand(input: JoinInput, hand: (i: JoinInput, o: JoinSums) => void, expected: JoinSums | undefined, wall: number[]): number {
  const sums = new JoinSums();
  const sw = startStopwatch();
  hand(input, sums);
  const e = elapsed(sw);
  if (expected !== undefined && !same(sums, expected)) throw new Error('hand join output changed between runs');
  const records = input.bids + input.auctions;
  wall.push(records / e.wallSecs);
  return records / e.cpuSecs;
}

export interface JoinFigure {
  readonly kind: 'stream-stream' | 'stream-table';
  readonly ratio: number;
  readonly value: number;
  readonly baseline: number;
  readonly runs: readonly number[];
  readonly baselineRuns: readonly number[];
  readonly wallRuns: readonly number[];
  readonly baselineWallRuns: readonly number[];
  readonly results: number;
}

export interface JoinBenchResult {
  readonly bids: number;
  readonly auctions: number;
  readonly warmups: number;
  readonly streamStream: JoinFigure;
  readonly streamTable: JoinFigure;
}

export async function benchJoin(kind: JoinFigure['kind'], input: JoinInput, dir: string, runs: number, warmups: number, log: (m: string) => void): Promise<JoinFigure> {
  const hand = kind === 'stream-stream' ? handStreamStream : handStreamTable;
  // One topology for every round, as an application builds its topology once and opens a task per
  // assigned partition: a topology rebuilt per round gives its nodes hidden classes the previous
  // round's optimized operator code was not compiled for, which deoptimized the sink and the join
  // every round (seen with --trace-deopt).
  const topology = kind === 'stream-stream' ? streamStreamTopology() : streamTableTopology();
  const expected = new JoinSums();
  hand(input, expected);
  const wall: number[] = [];
  const baseWall: number[] = [];
  const r = await pairedRuns(
    { warmups, runs, label: `${kind} join vs hand-written hash join, per CPU-second`, log },
    () => runHand(input, hand, expected, baseWall),
    () => runTask(input, topology, expected, dir, wall),
  );
  return {
    kind, ratio: pairedRatio(r), value: Math.round(median(r.subject)), baseline: Math.round(median(r.baseline)),
    runs: r.subject.map(Math.round), baselineRuns: r.baseline.map(Math.round), wallRuns: wall.slice(warmups).map(Math.round), baselineWallRuns: baseWall.slice(warmups).map(Math.round), results: expected.count,
  };
}

export async function benchJoins(opts: { bids?: number; runs?: number; warmups?: number; dir: string; log?: (m: string) => void }): Promise<JoinBenchResult> {
  const input = joinInput(opts.bids ?? 3_000_000);
  const warmups = opts.warmups ?? 1;
  const log = opts.log ?? (() => undefined);
  const streamStream = await benchJoin('stream-stream', input, opts.dir, opts.runs ?? 5, warmups, log);
  const streamTable = await benchJoin('stream-table', input, opts.dir, opts.runs ?? 5, warmups, log);
  return { bids: input.bids, auctions: input.auctions, warmups, streamStream, streamTable };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // BENCH_JOINS=stream-table (or stream-stream) runs only that join.
  const only = process.env.BENCH_JOINS as JoinFigure['kind'] | undefined;
  const opts = { bids: Number(process.env.BENCH_RECORDS ?? 3_000_000), runs: Number(process.env.BENCH_RUNS ?? 5), dir: '/nonexistent-state-dir', log: console.log };
  (only === undefined ? benchJoins(opts) : benchJoin(only, joinInput(opts.bids), opts.dir, opts.runs, 1, opts.log))
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
