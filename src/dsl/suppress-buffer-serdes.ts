import type { SuppressBufferSerdes } from '../graph/nodes/suppress-node.js';
import type { Change, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { changeSerde } from '../serde/windowed-serdes.js';

/** One buffered update as the suppression buffer's store keeps it. */
export interface BufferedUpdate {
  /** When it may leave: the window end (untilWindowCloses) or the first update's timestamp (untilTimeLimit). */
  readonly time: number;
  /** Timestamp of the latest update. */
  readonly timestamp: number;
  readonly change: Change<unknown>;
}

function isWindowed(key: unknown): key is Windowed<unknown> {
  return key !== null && typeof key === 'object' && 'start' in key && 'end' in key && 'key' in key;
}

/**
 * Serdes of a suppression buffer's store. A table that declares its serdes uses them; otherwise the
 * app's default serdes are bound when the task starts. Keys without a declared serde are written as
 * a tag byte (0 plain, 1 windowed) then, for windows, 8-byte start and end, then the inner key.
 * Values: 8-byte buffer time, 8-byte timestamp, then the Change (new and old value).
 */
export class SuppressBufferSerdeSet implements SuppressBufferSerdes {
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  private defaultKey: Serde<unknown> | undefined;
  private change: Serde<Change<unknown>> | undefined;

  constructor(
    private readonly store: string,
    private readonly tableKeySerde: Serde<unknown> | undefined,
    private readonly tableValueSerde: Serde<unknown> | undefined,
  ) {
    this.change = tableValueSerde === undefined ? undefined : changeSerde(tableValueSerde);
    this.keySerde = {
      name: `SuppressKey<${tableKeySerde?.name ?? 'default'}>`,
      serialize: (topic, key) => this.serializeKey(topic, key),
      deserialize: (topic, data) => this.deserializeKey(topic, data),
    };
    this.valueSerde = {
      name: `SuppressBuffer<${tableValueSerde?.name ?? 'default'}>`,
      serialize: (topic, v) => this.serializeValue(topic, v as BufferedUpdate),
      deserialize: (topic, data) => this.deserializeValue(topic, data),
    };
  }

  bindDefaults(defaultKeySerde: Serde<unknown> | undefined, defaultValueSerde: Serde<unknown> | undefined): void {
    this.defaultKey = defaultKeySerde;
    if (this.tableValueSerde === undefined && defaultValueSerde !== undefined) this.change = changeSerde(defaultValueSerde);
  }

  private missing(what: 'key' | 'value'): never {
    throw new StreamwrightError(
      'SERDE_MISSING',
      `Suppression buffer store "${this.store}" has no ${what} serde: the suppressed table does not declare one and default.${what}.serde is not set. Pass serdes to the upstream operators (Materialized/Grouped) or set default.${what}.serde.`,
      { store: this.store },
    );
  }

  private serializeKey(topic: string, key: unknown): Buffer | null {
    if (this.tableKeySerde !== undefined) return this.tableKeySerde.serialize(topic, key);
    const inner = this.defaultKey ?? this.missing('key');
    if (!isWindowed(key)) {
      const kb = inner.serialize(topic, key) ?? Buffer.alloc(0);
      return Buffer.concat([Buffer.of(0), kb]);
    }
    const kb = inner.serialize(topic, key.key) ?? Buffer.alloc(0);
    const out = Buffer.allocUnsafe(17 + kb.length);
    out[0] = 1;
    out.writeBigInt64BE(BigInt(key.start), 1);
    out.writeBigInt64BE(BigInt(key.end), 9);
    kb.copy(out, 17);
    return out;
  }

  private deserializeKey(topic: string, data: Buffer | null): unknown {
    if (this.tableKeySerde !== undefined) return this.tableKeySerde.deserialize(topic, data);
    const inner = this.defaultKey ?? this.missing('key');
    if (data === null || data.length < 1 || (data[0] === 1 && data.length < 17) || data[0] > 1) throw this.corrupt(topic, 'key', data);
    if (data[0] === 0) return inner.deserialize(topic, data.subarray(1));
    return { key: inner.deserialize(topic, data.subarray(17)), start: Number(data.readBigInt64BE(1)), end: Number(data.readBigInt64BE(9)) };
  }

  private serializeValue(topic: string, v: BufferedUpdate): Buffer | null {
    if (v === null || v === undefined) return null;
    const change = (this.change ?? this.missing('value')).serialize(topic, v.change)!;
    const out = Buffer.allocUnsafe(16 + change.length);
    out.writeBigInt64BE(BigInt(v.time), 0);
    out.writeBigInt64BE(BigInt(v.timestamp), 8);
    change.copy(out, 16);
    return out;
  }

  private deserializeValue(topic: string, data: Buffer | null): BufferedUpdate {
    if (data === null) return null as unknown as BufferedUpdate;
    if (data.length < 24) throw this.corrupt(topic, 'value', data);
    const change = (this.change ?? this.missing('value')).deserialize(topic, data.subarray(16));
    return { time: Number(data.readBigInt64BE(0)), timestamp: Number(data.readBigInt64BE(8)), change };
  }

  private corrupt(topic: string, what: string, data: Buffer | null): StreamwrightError {
    return new StreamwrightError(
      'DESERIALIZATION',
      `Suppression buffer store "${this.store}" read a ${what} of ${data?.length ?? 0} bytes from "${topic}" that is not in its format. Reset the application's state if the topology changed.`,
      { store: this.store, topic },
    );
  }
}
