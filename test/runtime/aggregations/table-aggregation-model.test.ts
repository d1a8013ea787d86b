import { describe, expect, it } from 'vitest';
import type { KTable } from '../../../src/dsl/ktable.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { aggFns, concatAdd, sortedAdd, sortedRemove, type AggKind } from '../../reference/aggregation-kinds.js';
import { describeCase, prng, randomRecords, type InputRecord } from '../../reference/random-input.js';
import { finalTable, regroupUpdates, streamAggregateUpdates, tableFilterUpdates, type Update } from '../../reference/table-models.js';

const S = Serdes.String();
const I = Serdes.Int();
const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);
const AGGS: readonly AggKind[] = ['count', 'reduce', 'aggregate'];
const groupOf = (v: number): string => `g${((v % 3) + 3) % 3}`;

function inputs(seed: number): InputRecord[] {
  const r = prng(seed ^ 0x7ab1e);
  return randomRecords(seed, { count: 5 + Math.floor(r() * 40), keys: ['a', 'b', 'c', 'd'].slice(0, 1 + Math.floor(r() * 4)), step: 3, disorder: 10, outOfOrder: 0.3, tombstones: 0.2 });
}

function valueSerdeOf(agg: AggKind): Serde<unknown> {
  return (agg === 'aggregate' ? S : agg === 'count' ? Serdes.Long() : I) as Serde<unknown>;
}

/** Pipes the records, optionally flushing the cache every few records and at the end; returns the output updates. */
function run(build: (b: StreamsBuilder) => KTable<string, unknown>, valueSerde: Serde<unknown>, records: readonly InputRecord[], cache: boolean, flushEvery: number): Update<unknown>[] {
  const b = new StreamsBuilder();
  build(b).toStream().to('out', { keySerde: S, valueSerde });
  const driver = new TopologyTestDriver(b.build(), cache ? { 'statestore.cache.max.bytes': 1 << 20, 'commit.interval.ms': 100 } : {});
  try {
    const input = driver.createInputTopic('in', S, I);
    records.forEach((r, i) => {
      input.pipeInput(r.key, r.value as number, r.ts);
      if (flushEvery > 0 && i % flushEvery === flushEvery - 1) driver.advanceWallClockTime(100);
    });
    // Two commits: the first flushes the source table's cache into the repartition topic, whose
    // records then update the aggregate's cache; the second flushes that.
    driver.advanceWallClockTime(100);
    driver.advanceWallClockTime(100);
    return driver.createOutputTopic('out', S, valueSerde).readRecordsToList().map((o) => [o.key as string, o.value as unknown, o.timestamp] as const);
  } finally {
    driver.close();
  }
}

function streamAggregate(agg: AggKind, cache: boolean) {
  return (b: StreamsBuilder): KTable<string, unknown> => {
    const g = b.stream('in', { keySerde: S, valueSerde: I }).groupByKey({ keySerde: S, valueSerde: I });
    const mat = { caching: cache };
    if (agg === 'count') return g.count(mat) as KTable<string, unknown>;
    if (agg === 'reduce') return g.reduce((a, v) => a + v, mat) as KTable<string, unknown>;
    return g.aggregate<string>(() => '', (_k, v, a) => concatAdd(a, v), { ...mat, valueSerde: S }) as unknown as KTable<string, unknown>;
  };
}

function regroup(agg: AggKind, cache: boolean) {
  return (b: StreamsBuilder): KTable<string, unknown> => {
    const g = b.table('in', { keySerde: S, valueSerde: I }, { caching: cache }).groupBy((_k, v) => [groupOf(v), v] as const, { keySerde: S, valueSerde: I });
    const mat = { caching: cache };
    if (agg === 'count') return g.count(mat) as KTable<string, unknown>;
    if (agg === 'reduce') return g.reduce((a, v) => a + v, (a, v) => a - v, mat) as KTable<string, unknown>;
    return g.aggregate<string>(() => '', (_k, v, a) => sortedAdd(a, v), (_k, v, a) => sortedRemove(a, v), { ...mat, valueSerde: S }) as unknown as KTable<string, unknown>;
  };
}

function streamFns(agg: AggKind) {
  const base = aggFns(agg);
  return agg === 'aggregate' ? { ...base, add: (a: number | string | undefined, v: number) => concatAdd(a as string, v) } : base;
}

describe('non-windowed stream aggregations against the reference model', () => {
  for (const agg of AGGS) {
    it(`${agg}: without cache, the full update sequence matches`, () => {
      for (let c = 0; c < CASES; c++) {
        const seed = 7000 + 100 * agg.length + c;
        const records = inputs(seed);
        expect(run(streamAggregate(agg, false), valueSerdeOf(agg), records, false, 0), describeCase(seed, records)).toEqual(streamAggregateUpdates(records, streamFns(agg)));
      }
    });
    it(`${agg}: with the record cache, the table after a flush matches`, () => {
      for (let c = 0; c < CASES; c++) {
        const seed = 8000 + 100 * agg.length + c;
        const records = inputs(seed);
        const out = run(streamAggregate(agg, true), valueSerdeOf(agg), records, true, 1 + (c % 6));
        expect(finalTable(out), describeCase(seed, records)).toEqual(finalTable(streamAggregateUpdates(records, streamFns(agg))));
      }
    });
  }
});

describe('KTable operators against the reference model (tombstones included)', () => {
  it('table source + filter: the full update sequence matches (deletes for values leaving the filter)', () => {
    for (let c = 0; c < CASES; c++) {
      const seed = 9000 + c;
      const records = inputs(seed);
      const keep = (v: number): boolean => v % 2 === 0;
      const out = run((b) => b.table('in', { keySerde: S, valueSerde: I }, { caching: false }).filter((_k, v) => keep(v)) as KTable<string, unknown>, I as Serde<unknown>, records, false, 0);
      expect(out, describeCase(seed, records)).toEqual(tableFilterUpdates(records, keep));
    }
  });

  it('table source + mapValues: every change is sent, deletes stay deletes', () => {
    for (let c = 0; c < CASES; c++) {
      const seed = 9500 + c;
      const records = inputs(seed);
      const out = run((b) => b.table('in', { keySerde: S, valueSerde: I }, { caching: false }).mapValues((v) => v * 10) as KTable<string, unknown>, I as Serde<unknown>, records, false, 0);
      const expected = tableFilterUpdates(records, () => true).map(([k, v, ts]) => [k, v === null ? null : v * 10, ts] as const);
      expect(out, describeCase(seed, records)).toEqual(expected);
    }
  });

  for (const agg of AGGS) {
    it(`groupBy ${agg}: without cache, each update subtracts from the old group then adds to the new one`, () => {
      for (let c = 0; c < CASES; c++) {
        const seed = 10000 + 100 * agg.length + c;
        const records = inputs(seed);
        expect(run(regroup(agg, false), valueSerdeOf(agg), records, false, 0), describeCase(seed, records)).toEqual(regroupUpdates(records, groupOf, aggFns(agg)));
      }
    });
    it(`groupBy ${agg}: with the record cache, the table after a flush matches`, () => {
      for (let c = 0; c < CASES; c++) {
        const seed = 11000 + 100 * agg.length + c;
        const records = inputs(seed);
        const out = run(regroup(agg, true), valueSerdeOf(agg), records, true, 1 + (c % 6));
        // The cache merges source updates, so a group whose rows came and went between two flushes may
        // never appear; a group without rows may only hold the empty aggregate (0, 0, '').
        const expected = finalTable(regroupUpdates(records, groupOf, aggFns(agg)));
        const withRows = new Set(finalTable(tableFilterUpdates(records, () => true)).map(([, v]) => groupOf(v)));
        const empty = agg === 'aggregate' ? '' : 0;
        const got = finalTable(out);
        const where = describeCase(seed, records);
        expect(got.filter(([g]) => !withRows.has(g)).every(([, v]) => v === empty), where).toBe(true);
        expect(got.filter(([g]) => withRows.has(g)), where).toEqual(expected.filter(([g]) => withRows.has(g)));
      }
    });
  }
});
