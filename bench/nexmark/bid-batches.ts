/**
 * Nexmark bids as FetchBatch objects for benchmarks that drive a StreamTask directly: keys are the
 * auction ids (as if the producer keyed bids by auction), values the Bid objects, handed through
 * by a pass-through serde. `distinct` bids are generated once and cycled; every cycle gets its
 * own timestamp and offset columns continuing the event clock (cycle c replays the bids at
 * event number + c * events per cycle), so stream time keeps advancing and later cycles fill
 * new windows.
 */
import type { FetchBatch } from '../../src/backend/backend-types.js';
import type { Header } from '../../src/graph/processor-types.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { NexmarkGenerator, type Bid, type NexmarkConfig } from './generator.js';

/** Hands values through untouched, so benchmarks measure the runtime, not a serde. */
export const passThrough: Serde<unknown> = {
  name: 'PassThrough',
  serialize: (_topic, data) => data as Buffer | null,
  deserialize: (_topic, data) => data,
};

export interface BidCycles {
  readonly bids: readonly Bid[];
  /** cycles[c] = the batches of cycle c (shared key/value/header columns, own timestamps/offsets). */
  readonly cycles: readonly (readonly FetchBatch[])[];
  readonly records: number;
  readonly eventsPerSecond: number;
}

export function bidCycles(opts: { distinct: number; cycles: number; batchSize: number; topic?: string; config?: Partial<NexmarkConfig> }): BidCycles {
  const gen = new NexmarkGenerator(opts.config);
  const bids: Bid[] = new Array(opts.distinct);
  const eventNo: number[] = new Array(opts.distinct);
  for (let i = 0; i < opts.distinct; i++) {
    bids[i] = gen.nextBid();
    eventNo[i] = gen.eventCount - 1;
  }
  const eventsPerCycle = gen.eventCount;
  const topic = opts.topic ?? 'bids';
  const shared: { keys: (Buffer | null)[]; values: (Buffer | null)[]; headers: (readonly Header[] | undefined)[] }[] = [];
  for (let start = 0; start < opts.distinct; start += opts.batchSize) {
    const size = Math.min(opts.batchSize, opts.distinct - start);
    const keys: (Buffer | null)[] = new Array(size);
    const values: (Buffer | null)[] = new Array(size);
    const headers: (readonly Header[] | undefined)[] = new Array(size).fill(undefined);
    for (let i = 0; i < size; i++) {
      keys[i] = bids[start + i].auction as unknown as Buffer;
      values[i] = bids[start + i] as unknown as Buffer;
    }
    shared.push({ keys, values, headers });
  }
  const cycles: FetchBatch[][] = [];
  let offset = 0;
  for (let c = 0; c < opts.cycles; c++) {
    const batches: FetchBatch[] = [];
    for (let b = 0; b < shared.length; b++) {
      const { keys, values, headers } = shared[b];
      const size = keys.length;
      const offsets: number[] = new Array(size);
      const timestamps: number[] = new Array(size);
      for (let i = 0; i < size; i++) {
        offsets[i] = offset++;
        timestamps[i] = gen.timeOf(eventNo[b * opts.batchSize + i] + c * eventsPerCycle);
      }
      batches.push({ topic, partition: 0, size, offsets, timestamps, keys, values, headers, highWatermark: offset });
    }
    cycles.push(batches);
  }
  return { bids, cycles, records: opts.distinct * opts.cycles, eventsPerSecond: gen.config.eventsPerSecond };
}
