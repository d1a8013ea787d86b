import { describe, expect, it } from 'vitest';
import { windowRetentionMs } from '../../src/graph/window-spec.js';
import {
  cogroupFinalStreamTime,
  cogroupSessionWindowModel,
  cogroupSlidingInputs,
  cogroupSlidingWindowModel,
  cogroupTimeWindowModel,
  type CogroupModel,
  type CogroupRecord,
} from '../reference/cogroup-window-models.js';
import { describeCase, prng, randomRecords } from '../reference/random-input.js';
import { closedWindows, entries, lastValues, windowId } from '../reference/window-models.js';
import { cogroupFns, runCogroup, type CogroupRun, type CogroupWindow } from './cogroup-windowed-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 40);

/** A random window definition (small, so windows overlap and close often); half of them keep
 * windows longer than the default retention, so an input far behind the others still finds them. */
function randomWindow(type: CogroupWindow['type'], r: () => number, defaultRetention: boolean): CogroupWindow {
  const grace = r() < 0.3 ? 0 : Math.floor(r() * 15);
  const extra = defaultRetention || r() < 0.5 ? 0 : 1 + Math.floor(r() * 40);
  if (type === 'time') {
    const size = 3 + Math.floor(r() * 12);
    const advance = r() < 0.5 ? size : 1 + Math.floor(r() * size);
    return { type, size, advance, grace, retention: windowRetentionMs({ type, sizeMs: size, advanceMs: advance, graceMs: grace }) + extra };
  }
  if (type === 'sliding') {
    const td = 2 + Math.floor(r() * 10);
    return { type, td, grace, retention: windowRetentionMs({ type, timeDifferenceMs: td, graceMs: grace }) + extra };
  }
  const gap = 1 + Math.floor(r() * 8);
  return { type, gap, grace, retention: windowRetentionMs({ type, gapMs: gap, graceMs: grace }) + extra };
}

/**
 * Random records spread over `inputs` topics: duplicate keys, out-of-order timestamps, late
 * records, tombstones; each input but the first may lag behind by up to 30 ms, so the inputs'
 * stream times differ (each input's processor judges lateness by its own).
 */
function cogroupRecords(seed: number, inputs: number): CogroupRecord[] {
  const r = prng(seed ^ 0xc09f);
  const base = randomRecords(seed, { count: 10 + Math.floor(r() * 50), keys: ['a', 'b', 'c'].slice(0, 1 + Math.floor(r() * 3)), step: 1 + Math.floor(r() * 5), disorder: 5 + Math.floor(r() * 30), outOfOrder: r() * 0.4, tombstones: 0.1 });
  const lag = Array.from({ length: inputs }, (_, i) => (i === 0 || r() < 0.4 ? 0 : Math.floor(r() * 30)));
  return base.map((x) => {
    const input = Math.floor(r() * inputs);
    return { ...x, input, ts: Math.max(0, x.ts - lag[input]) };
  });
}

function inputsFor(window: CogroupWindow, records: readonly CogroupRecord[], suppress: boolean): CogroupRecord[] {
  return window.type === 'sliding' ? cogroupSlidingInputs(records, window.td, window.grace, window.retention, suppress) : [...records];
}

function model(window: CogroupWindow, records: readonly CogroupRecord[]): CogroupModel<string> {
  const fns = cogroupFns(window);
  switch (window.type) {
    case 'time':
      return cogroupTimeWindowModel(records, window.size, window.advance, window.grace, window.retention, fns);
    case 'sliding':
      return cogroupSlidingWindowModel(records, window.td, window.grace, fns);
    case 'session':
      return cogroupSessionWindowModel(records, window.gap, window.grace, window.retention, fns);
  }
}

/** Stream time after which a window's result is final (the KTable's grace for suppress). */
function closesAfterEnd(window: CogroupWindow): number {
  if (window.type === 'time') return window.grace;
  if (window.type === 'sliding') return window.grace + 1;
  return window.gap + window.grace;
}

function where(run: CogroupRun, seed: number, records: readonly CogroupRecord[]): string {
  return `${JSON.stringify(run)} ${describeCase(seed, records)} inputs ${records.map((x) => x.input).join('')}`;
}

const TYPES = ['sliding', 'session', 'time'] as const;

for (const type of TYPES) {
  describe(`cogroup windowed by ${type} windows against the reference model`, () => {
    for (const inputs of [2, 3]) {
      for (const cache of [false, true]) {
        it(`${inputs} inputs${cache ? ', record cache' : ', no cache'}: the last update of every window is the model's final aggregate, late drops counted per input`, () => {
          for (let c = 0; c < CASES; c++) {
            const seed = 7000 + 1000 * TYPES.indexOf(type) + 100 * inputs + (cache ? 50 : 0) + c;
            const window = randomWindow(type, prng(seed), false);
            const records = inputsFor(window, cogroupRecords(seed, inputs), false);
            const run: CogroupRun = { window, inputs, cache, suppress: false };
            const { out, lateDropped } = runCogroup(run, records, cache ? 1 + (c % 7) : 0);
            const expected = model(window, records);
            expect(entries(lastValues(out)), where(run, seed, records)).toEqual(entries(expected.windows));
            expect(lateDropped, `late drops; ${where(run, seed, records)}`).toBe(expected.late);
          }
        });
      }
    }

    // Time windows are left out: an input behind the others may update a time window that
    // suppress has already emitted (Kafka Streams does the same), so there is no final result to compare.
    if (type === 'time') return;
    for (const cache of [false, true]) {
      it(`suppress(untilWindowCloses)${cache ? ' with the record cache' : ''} emits each closed window once, with its final aggregate`, () => {
        for (let c = 0; c < CASES; c++) {
          const seed = 9000 + 1000 * TYPES.indexOf(type) + (cache ? 500 : 0) + c;
          const inputs = 2 + (c % 2);
          const window = randomWindow(type, prng(seed), true);
          const records = inputsFor(window, cogroupRecords(seed, inputs), true);
          const run: CogroupRun = { window, inputs, cache, suppress: true };
          const { out } = runCogroup(run, records, cache ? 1 + (c % 5) : 0);
          const at = where(run, seed, records);
          const ids = out.map((o) => windowId(o.key.key, o.key.start, o.key.end));
          expect(new Set(ids).size, `one result per window; ${at}`).toBe(ids.length);
          expect(out.every((o) => o.value !== null), at).toBe(true);
          const expected = closedWindows(model(window, records).windows, cogroupFinalStreamTime(records), closesAfterEnd(window));
          expect(entries(lastValues(out)), at).toEqual(entries(expected));
        }
      });
    }
  });
}
