import type { Serde } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

/** Builds a Serde from two functions; null passes through both ways (tombstones), as in Kafka. */
export function serdeFrom<T>(
  name: string,
  serialize: (data: T, topic: string) => Buffer,
  deserialize: (data: Buffer, topic: string) => T,
): Serde<T> {
  return {
    name,
    serialize: (topic, data) => (data === null || data === undefined ? null : serialize(data, topic)),
    deserialize: (topic, data) => (data === null ? (null as T) : deserialize(data, topic)),
  };
}

function checkLength(serde: string, data: Buffer, bytes: number, topic: string): void {
  if (data.length !== bytes) {
    throw new StreamwrightError(
      'DESERIALIZATION',
      `${serde} deserializer expects ${bytes} bytes but got ${data.length} on topic "${topic}". Check the serde configured for this topic.`,
      { topic, expected: bytes, actual: data.length },
    );
  }
}

/** Kafka's Integer/Long serdes carry whole numbers; a JS number that does not fit would be silently
 * truncated or wrapped by the byte writers, so it is refused instead. */
function checkInteger(serde: string, n: number, min: number, maxExclusive: number, range: string, topic: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n >= maxExclusive) {
    throw new StreamwrightError(
      'SERIALIZATION',
      `${serde} serializer got ${String(n)} for topic "${topic}", which is not a whole number in ${range}. Round the value first, or use Serdes.Double() / Serdes.Json() for it.`,
      { topic, value: String(n) },
    );
  }
}

const stringSerde = serdeFrom<string>(
  'String',
  (s) => Buffer.from(s, 'utf8'),
  (b) => b.toString('utf8'),
);

const bytesSerde = serdeFrom<Buffer>(
  'Bytes',
  (b) => b,
  (b) => b,
);

const intSerde = serdeFrom<number>(
  'Int',
  (n, topic) => {
    checkInteger('Int', n, -2147483648, 2147483648, '-2^31 .. 2^31-1', topic);
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n, 0);
    return b;
  },
  (b, topic) => {
    checkLength('Int', b, 4, topic);
    return b.readInt32BE(0);
  },
);

/** Kafka's LongSerde: 8 bytes big-endian. JS numbers are exact up to 2^53. */
const longSerde = serdeFrom<number>(
  'Long',
  (n, topic) => {
    checkInteger('Long', n, -9223372036854775808, 9223372036854775808, '-2^63 .. 2^63-1', topic);
    const b = Buffer.allocUnsafe(8);
    if (Number.isSafeInteger(n)) {
      // Two 32-bit halves: exact below 2^53 and without a BigInt per key (a hot path for store keys).
      const hi = Math.floor(n / 4294967296);
      b.writeInt32BE(hi, 0);
      b.writeUInt32BE(n - hi * 4294967296, 4);
    } else b.writeBigInt64BE(BigInt(n), 0);
    return b;
  },
  (b, topic) => {
    checkLength('Long', b, 8, topic);
    return b.readInt32BE(0) * 4294967296 + b.readUInt32BE(4);
  },
);

const doubleSerde = serdeFrom<number>(
  'Double',
  (n) => {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(n, 0);
    return b;
  },
  (b, topic) => {
    checkLength('Double', b, 8, topic);
    return b.readDoubleBE(0);
  },
);

function jsonSerde<T>(): Serde<T> {
  return serdeFrom<T>(
    'Json',
    (v) => Buffer.from(JSON.stringify(v), 'utf8'),
    (b, topic) => {
      try {
        return JSON.parse(b.toString('utf8')) as T;
      } catch (err) {
        throw new StreamwrightError(
          'DESERIALIZATION',
          `Json deserializer got ${b.length} bytes that are not valid JSON on topic "${topic}": ${(err as Error).message}. Check the serde configured for this topic.`,
          { topic },
          { cause: err },
        );
      }
    },
  );
}

/** The built-in serdes, named as in Kafka's Serdes class. */
export const Serdes = {
  String: (): Serde<string> => stringSerde,
  Bytes: (): Serde<Buffer> => bytesSerde,
  Int: (): Serde<number> => intSerde,
  Long: (): Serde<number> => longSerde,
  Double: (): Serde<number> => doubleSerde,
  Json: <T>(): Serde<T> => jsonSerde<T>(),
  from: serdeFrom,
} as const;

/** Resolves a serde named in config ("String", "Json", ...), as `default.key.serde` allows. */
export function serdeByName(name: string): Serde<unknown> {
  const key = name.replace(/^(Serdes\.)?/, '').replace(/(Serde)?(\(\))?$/, '');
  const factory = (Serdes as Record<string, unknown>)[key];
  if (typeof factory !== 'function' || key === 'from') {
    throw new StreamwrightError('CONFIG_INVALID', `Unknown serde "${name}". Use one of String, Json, Bytes, Int, Long, Double, or pass a Serde object.`, { serde: name });
  }
  return (factory as () => Serde<unknown>)();
}
