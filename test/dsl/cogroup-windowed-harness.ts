import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Suppressed } from '../../src/dsl/suppressed.js';
import { SessionWindows, SlidingWindows, TimeWindows } from '../../src/dsl/windows.js';
import type { KTable } from '../../src/dsl/ktable.js';
import type { Windowed } from '../../src/graph/processor-types.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { CogroupFns, CogroupRecord } from '../reference/cogroup-window-models.js';

const S = Serdes.String();
const I = Serdes.Int();

export type CogroupWindow =
  | { readonly type: 'time'; readonly size: number; readonly advance: number; readonly grace: number; readonly retention: number }
  | { readonly type: 'sliding'; readonly td: number; readonly grace: number; readonly retention: number }
  | { readonly type: 'session'; readonly gap: number; readonly grace: number; readonly retention: number };

export interface CogroupRun {
  readonly window: CogroupWindow;
  readonly inputs: number;
  /** statestore.cache.max.bytes: 10 MiB (the default) with a commit every 100 ms, or 0. */
  readonly cache: boolean;
  readonly suppress: boolean;
}

export interface OutRecord {
  readonly key: Windowed<string>;
  readonly value: string | null;
  readonly timestamp: number;
}

/** What input `input` adds for a value: a letter per input, so a value aggregated by the wrong
 * input's aggregator shows. */
function item(input: number, value: number): string {
  return `${'abc'[input]}${value}`;
}

/** Items of an aggregate, in order. */
function items(agg: string): string[] {
  return agg === '' ? [] : agg.split(',');
}

/**
 * The aggregation every run uses, as plain functions for the models and the DSL alike. Time
 * windows: arrival order (each window is updated record by record, so the order is defined).
 * Sliding and session windows: sorted, since their windows are built by copying and merging.
 */
export function cogroupFns(window: CogroupWindow): CogroupFns<string> {
  const ordered = window.type === 'time';
  return {
    init: () => '',
    add: (input, agg, v) => {
      const xs = [...items(agg), item(input, v)];
      return (ordered ? xs : xs.sort()).join(',');
    },
    merge: (older, newer) => [...items(older), ...items(newer)].sort().join(','),
  };
}

function windowedKeySerde(w: CogroupWindow): Serde<Windowed<string>> {
  if (w.type === 'session') return WindowedSerdes.sessionWindowed(S);
  return WindowedSerdes.timeWindowed(S, w.type === 'time' ? w.size : w.td);
}

/** Builds in0..in<n-1>.groupByKey() cogrouped into one windowed aggregate [.suppress(untilWindowCloses)] -> out. */
export function buildCogroup(run: CogroupRun): StreamsBuilder {
  const b = new StreamsBuilder();
  const fns = cogroupFns(run.window);
  const grouped = Array.from({ length: run.inputs }, (_, i) => b.stream(`in${i}`, { keySerde: S, valueSerde: I }).groupByKey({ keySerde: S, valueSerde: I }));
  let cogrouped = grouped[0].cogroup<string>((_k, v, agg) => fns.add(0, agg, v));
  for (let i = 1; i < run.inputs; i++) cogrouped = cogrouped.cogroup(grouped[i], (_k, v, agg) => fns.add(i, agg, v));
  const w = run.window;
  const mat = { storeName: 'cogroup-store', valueSerde: S, retentionMs: w.retention };
  let table: KTable<Windowed<string>, string>;
  if (w.type === 'session') {
    table = cogrouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(w.gap, w.grace)).aggregate(fns.init, (_k, a, c) => fns.merge(a, c), mat);
  } else {
    const windows = w.type === 'time' ? TimeWindows.ofSizeAndGrace(w.size, w.grace).advanceBy(w.advance) : SlidingWindows.ofTimeDifferenceAndGrace(w.td, w.grace);
    table = cogrouped.windowedBy(windows).aggregate(fns.init, mat);
  }
  (run.suppress ? table.suppress(Suppressed.untilWindowCloses()) : table).toStream().to('out', { keySerde: windowedKeySerde(w), valueSerde: S });
  return b;
}

/** Pipes the records (each to its input's topic, in order) through a TopologyTestDriver; flushes
 * the record cache every `flushEvery` records (0: only at the end). */
export function runCogroup(run: CogroupRun, records: readonly CogroupRecord[], flushEvery: number): { out: OutRecord[]; lateDropped: number } {
  const config = run.cache ? { 'statestore.cache.max.bytes': 10 * 1024 * 1024, 'commit.interval.ms': 100 } : { 'statestore.cache.max.bytes': 0 };
  const driver = new TopologyTestDriver(buildCogroup(run).build(), config);
  try {
    const topics = Array.from({ length: run.inputs }, (_, i) => driver.createInputTopic(`in${i}`, S, I));
    records.forEach((r, i) => {
      topics[r.input].pipeInput(r.key, r.value as number, r.ts);
      if (flushEvery > 0 && i % flushEvery === flushEvery - 1) driver.advanceWallClockTime(100);
    });
    driver.advanceWallClockTime(100);
    const out = driver
      .createOutputTopic('out', windowedKeySerde(run.window), S)
      .readRecordsToList()
      .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    let lateDropped = 0;
    for (const m of driver.metrics().snapshot()) if (m.name === 'dropped-records-total' && m.tags.reason === 'late') lateDropped += m.value;
    return { out, lateDropped };
  } finally {
    driver.close();
  }
}
