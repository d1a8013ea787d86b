import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../src/dsl/suppressed.js';
import { SessionWindows, SlidingWindows, TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { caught } from '../errors/caught-error.js';

const S = Serdes.String();

describe('stateful DSL: bad input gets typed errors', () => {
  it.each([
    ['TimeWindows size 0', () => TimeWindows.ofSizeWithNoGrace(0), /window size must be a positive/],
    ['SlidingWindows time difference 0', () => SlidingWindows.ofTimeDifferenceWithNoGrace(0), /time difference must be a positive/],
    ['SessionWindows gap 0', () => SessionWindows.ofInactivityGapWithNoGrace(0), /inactivity gap must be a positive/],
    ['negative grace (time)', () => TimeWindows.ofSizeAndGrace(10, -1), /grace period must be zero or more/],
    ['negative grace (sliding)', () => SlidingWindows.ofTimeDifferenceAndGrace(10, -5), /grace period must be zero or more/],
    ['negative grace (session)', () => SessionWindows.ofInactivityGapAndGrace(10, -1), /grace period must be zero or more/],
    ['advance beyond size', () => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11), /cannot exceed the window size/],
    ['buffer maxRecords 0', () => BufferConfig.maxRecords(0), /maxRecords must be a positive integer/],
    ['buffer withMaxBytes -1', () => BufferConfig.unbounded().withMaxBytes(-1), /maxBytes must be a positive integer/],
    ['untilWindowCloses with emitEarly', () => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5)), /cannot emit early/],
  ])('%s: TOPOLOGY_INVALID', (_name, fn, message) => {
    const err = caught(fn);
    expect(err.code).toBe('TOPOLOGY_INVALID');
    expect(err.message).toMatch(message);
  });

  it.each([
    ['time', TimeWindows.ofSizeAndGrace(10, 5), 15],
    ['sliding', SlidingWindows.ofTimeDifferenceAndGrace(10, 5), 25],
  ] as const)('%s windows: a store retention shorter than required is STATE_STORE naming the minimum', (_kind, windows, required) => {
    const b = new StreamsBuilder();
    const err = caught(() => b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(windows).count({ storeName: 'short', retentionMs: required - 1 }));
    expect(err.code).toBe('STATE_STORE');
    expect(err.message).toMatch(new RegExp(`"short".*${required - 1} ms.*Raise Materialized.retentionMs to at least ${required}`));
  });

  it('session windows: retention shorter than gap + grace is STATE_STORE', () => {
    const b = new StreamsBuilder();
    const err = caught(() => b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).count({ storeName: 's', retentionMs: 14 }));
    expect(err.code).toBe('STATE_STORE');
    expect(err.details).toMatchObject({ store: 's', retentionMs: 14, required: 15 });
  });

  it('a sliding-window aggregate without a value serde is SERDE_MISSING at build time, saying what to pass', () => {
    const b = new StreamsBuilder();
    const err = caught(() => b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).aggregate(() => 0, (_k, _v, n) => n + 1));
    expect(err.code).toBe('SERDE_MISSING');
    expect(err.message).toMatch(/Materialized \{ valueSerde \}/);
  });

  it('suppress(untilWindowCloses) on a table that is not windowed is TOPOLOGY_INVALID', () => {
    const b = new StreamsBuilder();
    const err = caught(() => b.table('t', { keySerde: S, valueSerde: S }).suppress(Suppressed.untilWindowCloses()));
    expect(err.code).toBe('TOPOLOGY_INVALID');
  });

  it('suppress() registers a changelogged, uncached buffer store named <suppress name>-store', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: S }).suppress(Suppressed.untilTimeLimit(100).withName('hold'));
    const spec = b.build().store('hold-store');
    expect(spec).toMatchObject({ type: 'keyValue', logging: true, caching: false, persistent: false });
  });
});
