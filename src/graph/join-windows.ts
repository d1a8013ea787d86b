import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Serde } from './serde-types.js';

/** Join windows of a KStream-KStream join (Kafka Streams' JoinWindows), as plain data: a record of
 * the left stream at time t joins right records with timestamps in [t - beforeMs, t + afterMs]. */
export interface JoinWindowSpec {
  readonly beforeMs: number;
  readonly afterMs: number;
  /** How long after a window ends out-of-order records are still admitted. */
  readonly graceMs: number;
}

/** Combines the values of two joined records; the key comes last so `(l, r) => ...` works. In
 * left/outer joins the missing side is null. */
export type ValueJoiner<V1, V2, K, VR> = (value1: V1, value2: V2, key: K) => VR;

/** The kinds of join (Kafka Streams' join, leftJoin, outerJoin). */
export type JoinType = 'inner' | 'left' | 'outer';

/** How long a join buffer keeps a record: the whole window plus the grace (Kafka's JoinWindows
 * size() + gracePeriodMs()). */
export function joinRetentionMs(spec: JoinWindowSpec): number {
  return spec.beforeMs + spec.afterMs + spec.graceMs;
}

/**
 * Value serde of the join buffers: a list of byte strings (4-byte count, then 4-byte length and
 * bytes per entry). The join operators serialize records with the join's serdes themselves, so a
 * buffer can be restored from its changelog before the app's default serdes are known.
 */
export const joinBufferSerde: Serde<unknown> = {
  name: 'JoinBuffer',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    const list = data as readonly Buffer[];
    let size = 4;
    for (const b of list) size += 4 + b.length;
    const out = Buffer.allocUnsafe(size);
    out.writeUInt32BE(list.length, 0);
    let at = 4;
    for (const b of list) {
      out.writeUInt32BE(b.length, at);
      b.copy(out, at + 4);
      at += 4 + b.length;
    }
    return out;
  },
  deserialize(topic, data) {
    if (data === null) return null;
    const bad = (): never => {
      throw new StreamwrightError('DESERIALIZATION', `A join buffer entry of ${data.length} bytes read from "${topic}" is not in the join buffer format. Reset the application's state if the topology changed.`, { topic });
    };
    if (data.length < 4) bad();
    const n = data.readUInt32BE(0);
    const list: Buffer[] = [];
    let at = 4;
    for (let k = 0; k < n; k++) {
      if (at + 4 > data.length) bad();
      const len = data.readUInt32BE(at);
      if (at + 4 + len > data.length) bad();
      list.push(Buffer.from(data.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    return list;
  },
};

/** Key serde of the shared outer-join store, whose keys are the join side: 'L' or 'R'. */
export const joinSideKeySerde: Serde<unknown> = {
  name: 'JoinSide',
  serialize: (_topic, side) => (side === null || side === undefined ? null : Buffer.from(String(side), 'latin1')),
  deserialize: (_topic, data) => (data === null ? null : data.toString('latin1')),
};
