import { describe, expect, it } from 'vitest';
import { remainder } from '../../src/runtime/operators/window-aggregate-operator.js';

describe('remainder() used for window starts', () => {
  it('equals % for whole numbers up to 2^53, including values next to multiples', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 4294967296;
    };
    const moduli = [1, 2, 3, 7, 1000, 2000, 10_000, 86_400_000, 2 ** 20, 2 ** 31 + 11, 2 ** 40];
    for (const m of moduli) {
      for (let i = 0; i < 2000; i++) {
        const big = Math.floor(rnd() * (Number.MAX_SAFE_INTEGER - m));
        const nearMultiple = Math.floor(big / m) * m;
        for (const x of [big, nearMultiple, nearMultiple + 1, Math.max(0, nearMultiple - 1), Math.floor(rnd() * 2e12), i]) {
          expect(remainder(x, m)).toBe(x % m);
        }
      }
    }
    expect(remainder(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER % 10_000);
  });
});
