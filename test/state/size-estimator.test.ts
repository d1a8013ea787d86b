import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { approxSize } from '../../src/state/size-estimator.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap bytes per value of `make(i)`, measured over many values held at once. */
function measuredBytes(make: (i: number) => unknown): number {
  const n = 50_000;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = new Array<unknown>(n);
  for (let i = 0; i < n; i++) held[i] = make(i);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(held.length).toBe(n);
  return (after - before - 8 * n) / n; // minus the holding array's slots
}

// The cache budget is in estimated bytes: an estimate far above the real heap shrinks the cache
// (more evictions and reloads), one far below lets it use more memory than configured.
describe('approxSize against the measured heap', () => {
  const shapes: [string, (i: number) => unknown][] = [
    ['a {count, sum} aggregate', (i) => ({ count: i, sum: i * 1.5 })],
    ['an eight-field record with long field names', (i) => ({ identifier: i, itemName: 'chair', initialBid: i * 3, reserveValue: i * 1.25, dateTime: 1.7e12 + i, expiresAt: 1.7e12 + i * 2, sellerId: i, categoryId: i % 7 })],
    ['a record with a freshly decoded string', (i) => ({ id: i, name: Buffer.from(`person-${i}-${'x'.repeat(20)}`).toString('utf8') })],
  ];
  for (const [what, make] of shapes) {
    it(`stays within 0.8x..2.5x of ${what}`, () => {
      const real = measuredBytes(make);
      const estimate = approxSize(make(7));
      expect(estimate).toBeGreaterThanOrEqual(0.8 * real);
      expect(estimate).toBeLessThanOrEqual(2.5 * real);
    });
  }
});
