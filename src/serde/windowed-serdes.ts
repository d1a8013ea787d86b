import type { Change, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

function tooShort(what: string, topic: string, length: number, need: number): StreamwrightError {
  return new StreamwrightError('DESERIALIZATION', `${what} needs at least ${need} bytes but got ${length} on topic "${topic}". Check the key serde configured for this windowed topic.`, { topic });
}

/**
 * Kafka Streams' windowed key formats, so windowed output is readable by Java consumers:
 * time windows: inner key bytes + 8-byte big-endian start (the end is start + window size);
 * session windows: inner key bytes + 8-byte end + 8-byte start.
 */
export const WindowedSerdes = {
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      name: `TimeWindowed<${inner.name}>`,
      serialize(topic, w) {
        if (w === null || w === undefined) return null;
        const key = inner.serialize(topic, w.key) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + 8);
        key.copy(out, 0);
        out.writeBigInt64BE(BigInt(w.start), key.length);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null as unknown as Windowed<K>;
        if (data.length < 8) throw tooShort('A time-windowed key', topic, data.length, 8);
        const start = Number(data.readBigInt64BE(data.length - 8));
        return { key: inner.deserialize(topic, data.subarray(0, data.length - 8)), start, end: start + windowSizeMs };
      },
    };
  },

  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      name: `SessionWindowed<${inner.name}>`,
      serialize(topic, w) {
        if (w === null || w === undefined) return null;
        const key = inner.serialize(topic, w.key) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + 16);
        key.copy(out, 0);
        out.writeBigInt64BE(BigInt(w.end), key.length);
        out.writeBigInt64BE(BigInt(w.start), key.length + 8);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null as unknown as Windowed<K>;
        if (data.length < 16) throw tooShort('A session-windowed key', topic, data.length, 16);
        const n = data.length;
        return { key: inner.deserialize(topic, data.subarray(0, n - 16)), end: Number(data.readBigInt64BE(n - 16)), start: Number(data.readBigInt64BE(n - 8)) };
      },
    };
  },
} as const;

/**
 * Table updates through a repartition topic: [4-byte length or -1][new value][4-byte length or -1][old value].
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  const part = (topic: string, v: V | null): Buffer | null => (v === null ? null : inner.serialize(topic, v));
  return {
    name: `Change<${inner.name}>`,
    serialize(topic, c) {
      if (c === null || c === undefined) return null;
      const n = part(topic, c.newValue);
      const o = part(topic, c.oldValue);
      const out = Buffer.allocUnsafe(8 + (n?.length ?? 0) + (o?.length ?? 0));
      let at = out.writeInt32BE(n === null ? -1 : n.length, 0);
      if (n) at += n.copy(out, at);
      at = out.writeInt32BE(o === null ? -1 : o.length, at);
      if (o) o.copy(out, at);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null as unknown as Change<V>;
      const read = (at: number): [V | null, number] => {
        if (at + 4 > data.length) throw tooShort('A table update', topic, data.length, at + 4);
        const len = data.readInt32BE(at);
        if (len < 0) return [null, at + 4];
        if (at + 4 + len > data.length) throw tooShort('A table update', topic, data.length, at + 4 + len);
        return [inner.deserialize(topic, data.subarray(at + 4, at + 4 + len)), at + 4 + len];
      };
      const [newValue, next] = read(0);
      const [oldValue] = read(next);
      return { newValue, oldValue };
    },
  };
}
