import { describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes, serdeByName, serdeFrom } from '../../src/serde/serdes.js';

const T = 'orders';

function roundTrip<V>(serde: Serde<V>, value: V): V {
  return serde.deserialize(T, serde.serialize(T, value));
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

describe('String serde', () => {
  it('is UTF-8, byte for byte', () => {
    // "é" is C3 A9 and "€" is E2 82 AC in UTF-8.
    expect(Serdes.String().serialize(T, 'é€')).toEqual(Buffer.from([0xc3, 0xa9, 0xe2, 0x82, 0xac]));
    for (const s of ['', 'plain', 'ünïcödé ✓ 🚀', 'a\u0000b']) expect(roundTrip(Serdes.String(), s)).toBe(s);
  });
});

describe('Json serde', () => {
  it('round-trips nested values', () => {
    const v = { id: 7, tags: ['a', 'b'], nested: { ok: true, none: null }, n: -1.5 };
    expect(roundTrip(Serdes.Json<typeof v>(), v)).toEqual(v);
    expect(Serdes.Json<number[]>().serialize(T, [1, 2])).toEqual(Buffer.from('[1,2]'));
  });

  it('invalid JSON is a DESERIALIZATION error naming the topic', () => {
    const e = errorOf(() => Serdes.Json().deserialize(T, Buffer.from('{"a":')));
    expect(isStreamwrightError(e, 'DESERIALIZATION')).toBe(true);
    expect((e as Error).message).toContain(`"${T}"`);
  });
});

describe('Bytes serde', () => {
  it('passes bytes through unchanged', () => {
    const b = Buffer.from([0, 255, 1, 128]);
    expect(roundTrip(Serdes.Bytes(), b)).toEqual(Buffer.from([0, 255, 1, 128]));
  });
});

describe('Int serde (Kafka IntegerSerde: 4 bytes big-endian, two’s complement)', () => {
  it('writes known values as Kafka does', () => {
    expect(Serdes.Int().serialize(T, 1)).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(Serdes.Int().serialize(T, -1)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(Serdes.Int().serialize(T, 0x01020304)).toEqual(Buffer.from([1, 2, 3, 4]));
  });

  it('round-trips the whole int32 range', () => {
    for (const n of [0, 1, -1, 42, -42, 2147483647, -2147483648]) expect(roundTrip(Serdes.Int(), n)).toBe(n);
  });

  it('refuses numbers that would be silently wrapped or truncated', () => {
    for (const n of [2147483648, -2147483649, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = errorOf(() => Serdes.Int().serialize(T, n));
      expect(isStreamwrightError(e, 'SERIALIZATION'), String(n)).toBe(true);
      expect((e as Error).message).toContain(T);
    }
  });

  it('wrong lengths are DESERIALIZATION errors', () => {
    for (const len of [0, 3, 5, 8]) {
      const e = errorOf(() => Serdes.Int().deserialize(T, Buffer.alloc(len)));
      expect(isStreamwrightError(e, 'DESERIALIZATION')).toBe(true);
      expect((e as Error).message).toContain(`got ${len}`);
    }
  });
});

describe('Long serde (Kafka LongSerde: 8 bytes big-endian, two’s complement)', () => {
  it('writes a known value with Kafka’s wire bytes', () => {
    // 0x0102030405060700 = 72623859790382848 is above 2^53 but exactly representable (a multiple of 256).
    expect(Serdes.Long().serialize(T, 72623859790382848)).toEqual(Buffer.from([1, 2, 3, 4, 5, 6, 7, 0]));
    expect(Serdes.Long().serialize(T, 1)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect(Serdes.Long().serialize(T, -1)).toEqual(Buffer.alloc(8, 0xff));
    // -2 is FF..FE.
    expect(Serdes.Long().serialize(T, -2)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
    // 2^32 is 00 00 00 01 00 00 00 00.
    expect(Serdes.Long().serialize(T, 2 ** 32)).toEqual(Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
  });

  it('reads Kafka bytes back, including negative and > 2^32 values', () => {
    expect(Serdes.Long().deserialize(T, Buffer.from([1, 2, 3, 4, 5, 6, 7, 0]))).toBe(72623859790382848);
    expect(Serdes.Long().deserialize(T, Buffer.from([0, 0, 0, 0x17, 0x48, 0x76, 0xe8, 0]))).toBe(100_000_000_000);
    expect(Serdes.Long().deserialize(T, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]))).toBe(-(2 ** 32));
  });

  it('round-trips every safe integer magnitude', () => {
    const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32) - 1, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const n of values) expect(roundTrip(Serdes.Long(), n), String(n)).toBe(n);
    // Reference: BigInt's own big-endian encoding.
    for (const n of values) {
      const ref = Buffer.alloc(8);
      ref.writeBigInt64BE(BigInt(n));
      expect(Serdes.Long().serialize(T, n)).toEqual(ref);
    }
  });

  it('refuses fractions, NaN and values outside int64', () => {
    for (const n of [0.5, -2.25, Number.NaN, 2 ** 63, -(2 ** 64)]) {
      expect(isStreamwrightError(errorOf(() => Serdes.Long().serialize(T, n)), 'SERIALIZATION'), String(n)).toBe(true);
    }
    // -2^63 itself is Long.MIN_VALUE and fits.
    expect(Serdes.Long().serialize(T, -(2 ** 63))).toEqual(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0]));
  });

  it('wrong lengths are DESERIALIZATION errors', () => {
    for (const len of [0, 4, 7, 9]) {
      expect(isStreamwrightError(errorOf(() => Serdes.Long().deserialize(T, Buffer.alloc(len))), 'DESERIALIZATION')).toBe(true);
    }
  });
});

describe('Double serde (IEEE 754, big-endian)', () => {
  it('writes a known value and round-trips specials', () => {
    // 1.0 is 3FF0000000000000.
    expect(Serdes.Double().serialize(T, 1)).toEqual(Buffer.from([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]));
    for (const d of [0, -0, 3.141592653589793, -1e-300, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(Object.is(roundTrip(Serdes.Double(), d), d)).toBe(true);
    }
    expect(roundTrip(Serdes.Double(), Number.NaN)).toBeNaN();
  });

  it('wrong lengths are DESERIALIZATION errors', () => {
    expect(isStreamwrightError(errorOf(() => Serdes.Double().deserialize(T, Buffer.alloc(4))), 'DESERIALIZATION')).toBe(true);
  });
});

describe('null pass-through (tombstones)', () => {
  const all: [string, Serde<unknown>][] = [
    ['String', Serdes.String() as Serde<unknown>],
    ['Json', Serdes.Json()],
    ['Bytes', Serdes.Bytes() as Serde<unknown>],
    ['Int', Serdes.Int() as Serde<unknown>],
    ['Long', Serdes.Long() as Serde<unknown>],
    ['Double', Serdes.Double() as Serde<unknown>],
  ];
  it.each(all)('%s maps null to null both ways', (_name, serde) => {
    expect(serde.serialize(T, null)).toBeNull();
    expect(serde.deserialize(T, null)).toBeNull();
  });
});

describe('serdeByName and serdeFrom', () => {
  it('resolves config names in Kafka’s spellings', () => {
    expect(serdeByName('String')).toBe(Serdes.String());
    expect(serdeByName('Serdes.Long()')).toBe(Serdes.Long());
    expect(serdeByName('IntSerde')).toBe(Serdes.Int());
    expect(serdeByName('Json').name).toBe('Json');
  });

  it('unknown names are CONFIG_INVALID listing the choices', () => {
    const e = errorOf(() => serdeByName('Avro'));
    expect(isStreamwrightError(e, 'CONFIG_INVALID')).toBe(true);
    expect((e as Error).message).toContain('Avro');
    expect((e as Error).message).toContain('String, Json, Bytes');
    expect(isStreamwrightError(errorOf(() => serdeByName('from')), 'CONFIG_INVALID')).toBe(true);
  });

  it('serdeFrom builds a custom serde with null pass-through', () => {
    const upper = serdeFrom<string>('Upper', (s) => Buffer.from(s.toUpperCase()), (b) => b.toString().toLowerCase());
    expect(upper.serialize(T, 'abc')).toEqual(Buffer.from('ABC'));
    expect(upper.deserialize(T, Buffer.from('XYZ'))).toBe('xyz');
    expect(upper.serialize(T, null as unknown as string)).toBeNull();
    expect(upper.deserialize(T, null)).toBeNull();
  });
});
