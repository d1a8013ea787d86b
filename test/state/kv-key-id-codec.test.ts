import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { engineKeyBytes, engineKeyId, keyIdOf, numberKeyBytes, numberKeyId, numberWindowKeyBytes, SmallIds, smallIdKindOf } from '../../src/state/kv-key-id-codec.js';
import { windowKeyBytes } from '../../src/state/key-codec.js';
import { rng } from './state-test-helpers.js';

/** Key bytes around every edge of the small-integer ids: lengths 0..12, 4- and 8-byte values near 0, 2^30, 2^31, 2^32. */
function interestingKeys(): Buffer[] {
  const out: Buffer[] = [];
  const long = Serdes.Long();
  const int = Serdes.Int();
  for (const n of [0, 1, 255, 256, 2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, -1, -(2 ** 30), -(2 ** 31), -(2 ** 53) + 1]) {
    out.push(long.serialize('t', n)!);
    if (n >= -(2 ** 31) && n < 2 ** 31) out.push(int.serialize('t', n)!);
  }
  const r = rng(5);
  for (let i = 0; i < 400; i++) {
    const len = Math.floor(r() * 13);
    const b = Buffer.alloc(len);
    // Mostly zero bytes, so many land on the small-integer forms or just beside them.
    for (let j = 0; j < len; j++) b[j] = r() < 0.6 ? 0 : Math.floor(r() * 256);
    out.push(b);
  }
  return out;
}

describe('key ids of serialized keys', () => {
  it('keyIdOf is the latin1 string of the bytes (the id interactive queries sort by)', () => {
    for (const b of interestingKeys()) expect(keyIdOf(b)).toBe(b.toString('latin1'));
  });

  it('engineKeyId is one-to-one and engineKeyBytes gives the bytes back', () => {
    const seen = new Map<string | number, string>();
    for (const b of interestingKeys()) {
      const id = engineKeyId(b);
      const hex = b.toString('hex');
      const before = seen.get(id);
      if (before !== undefined) expect(before, `id ${String(id)}`).toBe(hex);
      seen.set(id, hex);
      expect(engineKeyBytes(id).toString('hex')).toBe(hex);
    }
  });

  it('Long keys 0 .. 2^30-1 and Integer keys 0 .. 2^30-1 get small-integer ids, other keys strings', () => {
    expect(engineKeyId(Serdes.Long().serialize('t', 12345)!)).toBe(12345);
    expect(engineKeyId(Serdes.Long().serialize('t', 2 ** 30 - 1)!)).toBe(2 ** 30 - 1);
    expect(typeof engineKeyId(Serdes.Long().serialize('t', 2 ** 30)!)).toBe('string');
    expect(typeof engineKeyId(Serdes.Long().serialize('t', -1)!)).toBe('string');
    expect(engineKeyId(Serdes.Int().serialize('t', 0)!)).toBe(-1);
    expect(engineKeyId(Serdes.Int().serialize('t', 2 ** 30 - 1)!)).toBe(-(2 ** 30));
    expect(typeof engineKeyId(Serdes.Int().serialize('t', -5)!)).toBe('string');
    expect(typeof engineKeyId(Buffer.from('abc'))).toBe('string');
  });

  it('numberKeyId is engineKeyId of the serialized key for the numbers it knows, and undefined for every other key', () => {
    const keys: unknown[] = [0, -0, 1, 255, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 2 ** 40, -1, 1.5, NaN, Infinity, '7', 7n, null, undefined, { n: 1 }];
    for (const serde of [Serdes.Long(), Serdes.Int(), Serdes.Double(), Serdes.Json<unknown>(), Serdes.from<number>('MyLong', (n) => Serdes.Long().serialize('t', n)!, (b) => b.readUInt32BE(4))]) {
      const kind = smallIdKindOf(serde as Serde<unknown>);
      for (const k of keys) {
        const id = numberKeyId(kind, k);
        if (id === undefined) continue;
        // Only the built-in Long and Int, and only whole numbers 0 .. 2^30-1.
        expect([Serdes.Long(), Serdes.Int()]).toContain(serde);
        expect(typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < 2 ** 30, String(k)).toBe(true);
        expect(id, `${serde.name} ${String(k)}`).toBe(engineKeyId(serde.serialize('t', k as number)!));
        expect(numberKeyBytes(kind, k), `${serde.name} ${String(k)}`).toEqual(serde.serialize('t', k as number));
      }
    }
    expect(numberKeyId(smallIdKindOf(Serdes.Long() as Serde<unknown>), 2 ** 30 - 1)).toBe(2 ** 30 - 1);
    expect(numberKeyId(smallIdKindOf(Serdes.Int() as Serde<unknown>), 5)).toBe(-6);
    for (const k of [0, 1, 255, 256, 65535, 65536, 2 ** 24 + 3, 2 ** 30 - 1]) {
      expect(numberKeyBytes(smallIdKindOf(Serdes.Long() as Serde<unknown>), k)).toEqual(Serdes.Long().serialize('t', k));
      expect(numberKeyBytes(smallIdKindOf(Serdes.Int() as Serde<unknown>), k)).toEqual(Serdes.Int().serialize('t', k));
    }
    expect(numberKeyBytes(smallIdKindOf(Serdes.Long() as Serde<unknown>), 2 ** 30)).toBeUndefined();
  });
});

describe('numberWindowKeyBytes', () => {
  const starts = [0, 1, 10_000, 1_700_000_000_000, 2 ** 40 + 12_345, Number.MAX_SAFE_INTEGER - 1];
  it('writes what windowKeyBytes() gives for the Long and Int serdes\' bytes of a small key', () => {
    for (const [serde, kind] of [[Serdes.Long(), SmallIds.Long], [Serdes.Int(), SmallIds.Int]] as const) {
      for (const key of [0, 1, 255, 256, 65_535, 123_456_789, 2 ** 30 - 1]) {
        for (const start of starts) {
          const expected = windowKeyBytes(serde.serialize('t', key)!, start);
          expect(numberWindowKeyBytes(kind, key, start)).toEqual(expected);
        }
      }
    }
  });
  it('leaves every other key to the serde', () => {
    for (const key of [-1, 2 ** 30, 1.5, '7', null]) expect(numberWindowKeyBytes(SmallIds.Long, key, 0)).toBeUndefined();
    expect(numberWindowKeyBytes(SmallIds.None, 7, 0)).toBeUndefined();
  });
});
