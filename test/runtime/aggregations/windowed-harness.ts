import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Suppressed } from '../../../src/dsl/suppressed.js';
import { SessionWindows, SlidingWindows, TimeWindows } from '../../../src/dsl/windows.js';
import type { KTable } from '../../../src/dsl/ktable.js';
import type { Windowed } from '../../../src/graph/processor-types.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { WindowedSerdes } from '../../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { concatAdd, sortedAdd, sortedMerge, type AggKind } from '../../reference/aggregation-kinds.js';
import type { InputRecord } from '../../reference/random-input.js';

export const S = Serdes.String();
export const I = Serdes.Int();

export type WindowKind =
  | { readonly type: 'time'; readonly size: number; readonly advance: number; readonly grace: number }
  | { readonly type: 'sliding'; readonly td: number; readonly grace: number }
  | { readonly type: 'session'; readonly gap: number; readonly grace: number };

export interface WindowedRun {
  readonly window: WindowKind;
  readonly agg: AggKind;
  readonly cache: boolean;
  readonly suppress: boolean;
}

export interface OutRecord {
  readonly key: Windowed<string>;
  readonly value: number | string | null;
  readonly timestamp: number;
}

/** The aggregate a window kind runs for 'aggregate': arrival-order concatenation for time windows
 * (their update order is defined), a sorted list for sliding and session windows. */
export function usesConcat(window: WindowKind): boolean {
  return window.type === 'time';
}

function windowedKeySerde(w: WindowKind): Serde<Windowed<string>> {
  if (w.type === 'session') return WindowedSerdes.sessionWindowed(S);
  return WindowedSerdes.timeWindowed(S, w.type === 'time' ? w.size : w.td);
}

/** Runs the records through groupByKey().windowedBy(...).<agg>() [.suppress(untilWindowCloses)] in a TopologyTestDriver. */
export function runWindowed(run: WindowedRun, records: readonly InputRecord[], flushEvery: number): OutRecord[] {
  const b = new StreamsBuilder();
  const grouped = b.stream('in', { keySerde: S, valueSerde: I }).groupByKey({ keySerde: S, valueSerde: I });
  const w = run.window;
  const valueSerde: Serde<number> | Serde<string> = run.agg === 'aggregate' ? S : run.agg === 'count' ? Serdes.Long() : I;
  const mat = { storeName: 'agg-store', caching: run.cache };
  let table: KTable<Windowed<string>, unknown>;
  if (w.type === 'session') {
    const ws = grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(w.gap, w.grace));
    if (run.agg === 'count') table = ws.count(mat) as KTable<Windowed<string>, unknown>;
    else if (run.agg === 'reduce') table = ws.reduce((a, v) => a + v, mat) as KTable<Windowed<string>, unknown>;
    else table = ws.aggregate<string>(() => '', (_k, v, a) => sortedAdd(a, v), (_k, a, c) => sortedMerge(a, c), { ...mat, valueSerde: S }) as unknown as KTable<Windowed<string>, unknown>;
  } else {
    const ws = grouped.windowedBy(w.type === 'time' ? TimeWindows.ofSizeAndGrace(w.size, w.grace).advanceBy(w.advance) : SlidingWindows.ofTimeDifferenceAndGrace(w.td, w.grace));
    if (run.agg === 'count') table = ws.count(mat) as KTable<Windowed<string>, unknown>;
    else if (run.agg === 'reduce') table = ws.reduce((a, v) => a + v, mat) as KTable<Windowed<string>, unknown>;
    else table = ws.aggregate<string>(() => '', (_k, v, a) => (usesConcat(w) ? concatAdd(a, v) : sortedAdd(a, v)), { ...mat, valueSerde: S }) as unknown as KTable<Windowed<string>, unknown>;
  }
  const out = run.suppress ? table.suppress(Suppressed.untilWindowCloses()) : table;
  const keySerde = windowedKeySerde(w);
  out.toStream().to('out', { keySerde, valueSerde: valueSerde as Serde<unknown> });
  const config = run.cache ? { 'statestore.cache.max.bytes': 1 << 20, 'commit.interval.ms': 100 } : {};
  const driver = new TopologyTestDriver(b.build(), config);
  try {
    const input = driver.createInputTopic('in', S, I);
    records.forEach((r, i) => {
      input.pipeInput(r.key, r.value as number, r.ts);
      if (flushEvery > 0 && i % flushEvery === flushEvery - 1) driver.advanceWallClockTime(100);
    });
    driver.advanceWallClockTime(100);
    return driver
      .createOutputTopic('out', keySerde, valueSerde as Serde<number | string>)
      .readRecordsToList()
      .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
  } finally {
    driver.close();
  }
}
