import { describe, expect, it } from 'vitest';
import { Serdes, SessionWindows, SlidingWindows, StreamsBuilder, TopologyTestDriver, WindowedSerdes } from '../../src/index.js';
import type { Windowed } from '../../src/graph/processor-types.js';
import type { TestOutputTopic } from '../../src/testing/test-output-topic.js';
import { caught } from '../errors/caught-error.js';

/** Worked examples of cogroup().windowedBy(SlidingWindows | SessionWindows), from Kafka Streams' tests
 * (SlidingWindowedCogroupedKStreamImplTest, SessionWindowedCogroupedKStreamImplTest) and its semantics. */

const S = Serdes.String();

// Kafka Streams' aggregators of its cogroup tests (MockAggregator.TOSTRING_ADDER / _REMOVER, "0"
// as initial value, sessions merged as "one+two"), so the worked examples below follow its tests.
const adder = (_k: string, v: string, agg: string): string => `${agg}+${v}`;
const remover = (_k: string, v: string, agg: string): string => `${agg}-${v}`;
const sessionMerger = (_k: string, one: string, two: string): string => `${one}+${two}`;

function cogrouped(b: StreamsBuilder) {
  const one = b.stream('one', { keySerde: S, valueSerde: S }).groupByKey();
  const two = b.stream('two', { keySerde: S, valueSerde: S }).groupByKey();
  return one.cogroup<string>(adder).cogroup(two, remover);
}

type Row = [key: string, start: number, end: number, value: string | null, timestamp: number];

function rows(out: TestOutputTopic<Windowed<string>, string | null>): Row[] {
  return out.readRecordsToList().map((r) => [r.key.key, r.key.start, r.key.end, r.value, r.timestamp]);
}

function lateDrops(d: TopologyTestDriver): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of d.metrics().snapshot()) if (m.name === 'dropped-records-total' && m.tags.reason === 'late') out[m.tags.node] = m.value;
  return out;
}

describe('cogroup windowed by sliding windows', () => {
  function slidingDriver(td: number, grace: number) {
    const b = new StreamsBuilder();
    cogrouped(b)
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(td, grace))
      .aggregate(() => '0', { valueSerde: S })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, td), valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    return { d, one: d.createInputTopic('one', S, S), two: d.createInputTopic('two', S, S), out: d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, td), S) };
  }

  it("updates, creates and copies windows across inputs in Kafka Streams' order (its overlapping-windows test, B records on a second input)", () => {
    const { d, one, two, out } = slidingDriver(500, 2000);
    one.pipeInput('k1', 'A', 500);
    one.pipeInput('k2', 'A', 500);
    two.pipeInput('k1', 'B', 750);
    two.pipeInput('k2', 'B', 750);
    one.pipeInput('k2', 'A', 1000);
    one.pipeInput('k1', 'A', 1000);
    expect(rows(out)).toEqual([
      ['k1', 0, 500, '0+A', 500], // left window of k1@500
      ['k2', 0, 500, '0+A', 500],
      ['k1', 501, 1001, '0-B', 750], // right window of k1@500, created by B@750
      ['k1', 250, 750, '0+A-B', 750], // left window of k1@750
      ['k2', 501, 1001, '0-B', 750],
      ['k2', 250, 750, '0+A-B', 750],
      ['k2', 501, 1001, '0-B+A', 1000], // right window of k2@500 takes A@1000
      ['k2', 751, 1251, '0+A', 1000], // right window of k2@750
      ['k2', 500, 1000, '0+A-B+A', 1000], // left window of k2@1000, copied from [250, 750]
      ['k1', 501, 1001, '0-B+A', 1000],
      ['k1', 751, 1251, '0+A', 1000],
      ['k1', 500, 1000, '0+A-B+A', 1000],
    ]);
    d.close();
  });

  it("judges lateness by each input's own stream time, as each Kafka Streams processor keeps its own", () => {
    const { d, one, two, out } = slidingDriver(10, 0);
    one.pipeInput('k', 'A', 100);
    // Input two has seen nothing later than 95: its windows ending at 95 are open, though input one is at 100.
    two.pipeInput('k', 'B', 95);
    // Input one is at 100: a record at 80 is late for every window it belongs to (80 + 1 + 10 <= 100).
    one.pipeInput('k', 'C', 80);
    expect(rows(out)).toEqual([
      ['k', 90, 100, '0+A', 100],
      ['k', 90, 100, '0+A-B', 100],
      ['k', 85, 95, '0-B', 95],
      ['k', 96, 106, '0+A', 100], // the right window of B@95 holds A@100
    ]);
    expect(lateDrops(d)).toEqual({ 'COGROUPKSTREAM-AGGREGATE-0000000003': 1, 'COGROUPKSTREAM-AGGREGATE-0000000004': 0 });
    d.close();
  });

  it('needs the aggregate serde at build time: SERDE_MISSING saying what to pass', () => {
    const b = new StreamsBuilder();
    const err = caught(() => cogrouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).aggregate(() => '0', { storeName: 'activity' }));
    expect(err.code).toBe('SERDE_MISSING');
    expect(err.message).toMatch(/cogroup windowed by SlidingWindows.*Pass Materialized \{ valueSerde \}.*store "activity"/);
  });

  it('keeps windows at least 2 x time difference + grace: a shorter retention is STATE_STORE', () => {
    const b = new StreamsBuilder();
    const err = caught(() => cogrouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).aggregate(() => '0', { storeName: 'short', valueSerde: S, retentionMs: 24 }));
    expect(err.code).toBe('STATE_STORE');
    expect(err.details).toMatchObject({ store: 'short', retentionMs: 24, required: 25 });
  });

  it('describes the topology with Kafka Streams names: one aggregation per input on one store, then a merge', () => {
    const b = new StreamsBuilder();
    cogrouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).aggregate(() => '0', { valueSerde: S }).toStream().to('out');
    const topology = b.build();
    expect(topology.describe().toString()).toBe(describedCogroup);
    expect(topology.stores.map((s) => [s.name, s.type, s.retentionMs, s.windowSizeMs])).toEqual([['COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002', 'window', 20, 10]]);
  });
});

describe('cogroup windowed by session windows', () => {
  function sessionDriver(gap: number, grace: number, retentionMs?: number) {
    const b = new StreamsBuilder();
    cogrouped(b)
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace))
      .aggregate(() => '0', sessionMerger, { valueSerde: S, retentionMs })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.sessionWindowed(S), valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    return { d, one: d.createInputTopic('one', S, S), two: d.createInputTopic('two', S, S), out: d.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), S) };
  }

  it("merges sessions started by either input with the merger, deleting the merged ones (Kafka Streams' mixed-aggregators test)", () => {
    const { d, one, two, out } = sessionDriver(100, 86_400_000);
    one.pipeInput('k1', 'A', 0);
    one.pipeInput('k2', 'A', 0);
    one.pipeInput('k2', 'A', 1);
    one.pipeInput('k1', 'A', 2);
    two.pipeInput('k1', 'B', 3);
    two.pipeInput('k2', 'B', 3);
    two.pipeInput('k2', 'B', 444);
    two.pipeInput('k1', 'B', 444);
    expect(rows(out)).toEqual([
      ['k1', 0, 0, '0+A', 0],
      ['k2', 0, 0, '0+A', 0],
      ['k2', 0, 0, null, 0],
      ['k2', 0, 1, '0+0+A+A', 1],
      ['k1', 0, 0, null, 0],
      ['k1', 0, 2, '0+0+A+A', 2],
      ['k1', 0, 2, null, 2],
      ['k1', 0, 3, '0+0+0+A+A-B', 3],
      ['k2', 0, 1, null, 1],
      ['k2', 0, 3, '0+0+0+A+A-B', 3],
      ['k2', 444, 444, '0-B', 444],
      ['k1', 444, 444, '0-B', 444],
    ]);
    d.close();
  });

  it("drops a record whose session ends before its own input's stream time - gap - grace", () => {
    // Retention beyond gap + grace keeps old sessions in the store, so input two (behind input one) can still use them.
    const { d, one, two, out } = sessionDriver(10, 5, 1000);
    one.pipeInput('k', 'A', 100);
    two.pipeInput('k', 'B', 50); // input two is at 50: open for it
    one.pipeInput('k', 'C', 50); // input one is at 100: 50 < 100 - 10 - 5, late
    one.pipeInput('k', 'D', 88); // 88 >= 100 - 10 - 5: on time, a session stays open for a gap after its end (KAFKA-12718)
    two.pipeInput('k', 'E', 55); // joins B's session
    expect(rows(out)).toEqual([
      ['k', 100, 100, '0+A', 100],
      ['k', 50, 50, '0-B', 50],
      ['k', 88, 88, '0+D', 88],
      ['k', 50, 50, null, 50],
      ['k', 50, 55, '0+0-B-E', 55],
    ]);
    expect(lateDrops(d)).toEqual({ 'COGROUPKSTREAM-AGGREGATE-0000000003': 1, 'COGROUPKSTREAM-AGGREGATE-0000000004': 0 });
    d.close();
  });

  it('needs a merger: TOPOLOGY_INVALID saying what it is for', () => {
    const b = new StreamsBuilder();
    const windowed = cogrouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10));
    const err = caught(() => windowed.aggregate(() => '0', undefined as unknown as typeof sessionMerger));
    expect(err.code).toBe('TOPOLOGY_INVALID');
    expect(err.message).toMatch(/needs a merger: aggregate\(initializer, merger, materialized\?\)/);
  });

  it('describes the topology with Kafka Streams names, on one session store', () => {
    const b = new StreamsBuilder();
    cogrouped(b).windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).aggregate(() => '0', sessionMerger, { valueSerde: S }).toStream().to('out');
    const topology = b.build();
    expect(topology.describe().toString()).toBe(describedCogroup);
    expect(topology.stores.map((s) => [s.name, s.type, s.retentionMs])).toEqual([['COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002', 'session', 15]]);
  });
});

// Source, store, aggregation and merge numbering as Kafka Streams gives a two-input cogroup
// (CogroupedStreamAggregateBuilder: store name first, then one processor per input, then the merge).
const describedCogroup = `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [one])
      --> COGROUPKSTREAM-AGGREGATE-0000000003
    Source: KSTREAM-SOURCE-0000000001 (topics: [two])
      --> COGROUPKSTREAM-AGGREGATE-0000000004
    Processor: COGROUPKSTREAM-AGGREGATE-0000000003 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002])
      --> COGROUPKSTREAM-MERGE-0000000005
      <-- KSTREAM-SOURCE-0000000000
    Processor: COGROUPKSTREAM-AGGREGATE-0000000004 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002])
      --> COGROUPKSTREAM-MERGE-0000000005
      <-- KSTREAM-SOURCE-0000000001
    Processor: COGROUPKSTREAM-MERGE-0000000005 (stores: [])
      --> KTABLE-TOSTREAM-0000000006
      <-- COGROUPKSTREAM-AGGREGATE-0000000003, COGROUPKSTREAM-AGGREGATE-0000000004
    Processor: KTABLE-TOSTREAM-0000000006 (stores: [])
      --> KSTREAM-SINK-0000000007
      <-- COGROUPKSTREAM-MERGE-0000000005
    Sink: KSTREAM-SINK-0000000007 (topic: out)
      <-- KTABLE-TOSTREAM-0000000006

`;

