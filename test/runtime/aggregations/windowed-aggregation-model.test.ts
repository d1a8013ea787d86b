import { describe, expect, it } from 'vitest';
import { aggFns, concatAdd, type AggFns, type AggKind } from '../../reference/aggregation-kinds.js';
import { describeCase, prng, randomRecords, type InputRecord } from '../../reference/random-input.js';
import { closedWindows, entries, finalStreamTime, lastValues, sessionWindowModel, slidingWindowModel, timeWindowModel, windowId, withoutPartlyLateSlidingRecords, type WindowMap } from '../../reference/window-models.js';
import { runWindowed, usesConcat, type WindowKind } from './windowed-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);
const AGGS: readonly AggKind[] = ['count', 'reduce', 'aggregate'];

function fnsFor(window: WindowKind, agg: AggKind): AggFns<number | string> {
  const base = aggFns(agg);
  return agg === 'aggregate' && usesConcat(window) ? { ...base, add: (a, v) => concatAdd(a as string, v) } : base;
}

function model(window: WindowKind, records: readonly InputRecord[], fns: AggFns<number | string>): WindowMap<number | string> {
  switch (window.type) {
    case 'time':
      return timeWindowModel(records, window.size, window.advance, window.grace, fns);
    case 'sliding':
      return slidingWindowModel(records, window.td, window.grace, fns);
    case 'session':
      return sessionWindowModel(records, window.gap, window.grace, fns);
  }
}

/** A random window definition (small, so windows overlap and close often). */
function randomWindow(type: WindowKind['type'], r: () => number): WindowKind {
  const grace = r() < 0.3 ? 0 : Math.floor(r() * 15);
  if (type === 'time') {
    const size = 3 + Math.floor(r() * 12);
    const advance = r() < 0.5 ? size : 1 + Math.floor(r() * size);
    return { type, size, advance, grace };
  }
  if (type === 'sliding') return { type, td: 2 + Math.floor(r() * 10), grace };
  return { type, gap: 1 + Math.floor(r() * 8), grace };
}

function inputs(seed: number, window: WindowKind): InputRecord[] {
  const r = prng(seed ^ 0x5eed);
  const records = randomRecords(seed, { count: 5 + Math.floor(r() * 40), keys: ['a', 'b', 'c'].slice(0, 1 + Math.floor(r() * 3)), step: 1 + Math.floor(r() * 5), disorder: 5 + Math.floor(r() * 30), outOfOrder: r() * 0.4, tombstones: 0.1 });
  return window.type === 'sliding' ? withoutPartlyLateSlidingRecords(records, window.td, window.grace) : records;
}

/** Stream time after which a window's result is final (see suppress in windowed-kstream.ts). */
function closesAfterEnd(window: WindowKind): number {
  if (window.type === 'time') return window.grace;
  if (window.type === 'sliding') return window.grace + 1;
  return window.gap + window.grace;
}

for (const type of ['time', 'sliding', 'session'] as const) {
  describe(`${type} windows against the reference model`, () => {
    for (const agg of AGGS) {
      it(`${agg}: without cache, every window's last update is the model's final aggregate`, () => {
        for (let c = 0; c < CASES; c++) {
          const seed = 1000 * (type.length + agg.length) + c;
          const window = randomWindow(type, prng(seed));
          const records = inputs(seed, window);
          const out = runWindowed({ window, agg, cache: false, suppress: false }, records, 0);
          expect(entries(lastValues(out)), `${JSON.stringify(window)} ${describeCase(seed, records)}`).toEqual(entries(model(window, records, fnsFor(window, agg))));
        }
      });

      it(`${agg}: with the record cache, the state after a flush is the model's final aggregate`, () => {
        for (let c = 0; c < CASES; c++) {
          const seed = 2000 * (type.length + agg.length) + c;
          const window = randomWindow(type, prng(seed));
          const records = inputs(seed, window);
          const out = runWindowed({ window, agg, cache: true, suppress: false }, records, 1 + (c % 7));
          expect(entries(lastValues(out)), `${JSON.stringify(window)} ${describeCase(seed, records)}`).toEqual(entries(model(window, records, fnsFor(window, agg))));
        }
      });

      for (const cache of [false, true]) {
        it(`${agg}: suppress(untilWindowCloses)${cache ? ' with cache' : ''} emits each closed window once, with its final aggregate`, () => {
          for (let c = 0; c < CASES; c++) {
            const seed = 3000 * (type.length + agg.length) + c + (cache ? 500 : 0);
            const window = randomWindow(type, prng(seed));
            const records = inputs(seed, window);
            const out = runWindowed({ window, agg, cache, suppress: true }, records, cache ? 1 + (c % 5) : 0);
            const where = `${JSON.stringify(window)} ${describeCase(seed, records)}`;
            const ids = out.map((o) => windowId(o.key.key, o.key.start, o.key.end));
            expect(new Set(ids).size, `one result per window; ${where}`).toBe(ids.length);
            expect(out.every((o) => o.value !== null), where).toBe(true);
            const expected = closedWindows(model(window, records, fnsFor(window, agg)), finalStreamTime(records), closesAfterEnd(window));
            expect(entries(lastValues(out)), where).toEqual(entries(expected));
          }
        });
      }
    }
  });
}
