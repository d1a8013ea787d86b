import type { Aggregator, Initializer, Merger, Reducer, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { windowRetentionMs, type SessionWindowSpec, type SlidingWindowSpec, type TimeWindowSpec } from '../graph/window-spec.js';
import { Serdes } from '../serde/serdes.js';
import { WindowedSerdes } from '../serde/windowed-serdes.js';
import { reducerAsAggregator, type KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';

/** A grouped stream windowed by time (tumbling, hopping) or sliding windows. */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly spec: TimeWindowSpec | SlidingWindowSpec,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.aggregate<number>(() => 0, (_k, _v, n) => n + 1, { valueSerde: Serdes.Long(), ...materialized });
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { initializer, aggregator } = reducerAsAggregator<K, V>(reducer);
    return this.build<V>(initializer, aggregator, { valueSerde: this.grouped.valueSerde as Serde<V>, ...materialized }, 'KSTREAM-REDUCE-');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    return this.build(initializer, aggregator as Aggregator<K, V, unknown>, materialized, 'KSTREAM-AGGREGATE-');
  }

  private build<VA>(initializer: Initializer<unknown>, aggregator: Aggregator<K, V, unknown>, materialized: Materialized<K, VA> | undefined, prefix: string): KTable<Windowed<K>, VA> {
    const graph = this.grouped.stream.builder;
    const sliding = this.spec.type === 'sliding';
    const size = this.spec.type === 'time' ? this.spec.sizeMs : this.spec.timeDifferenceMs;
    const aggSerde = materialized?.valueSerde as Serde<unknown> | undefined;
    if (sliding && aggSerde === undefined) {
      throw new StreamwrightError(
        'SERDE_MISSING',
        `A sliding-window ${prefix === 'KSTREAM-REDUCE-' ? 'reduce' : 'aggregate'} needs the serde of its aggregate at build time (its store keeps the aggregate together with the window's latest record timestamp). Pass Materialized { valueSerde } (or serdes in groupByKey/groupBy for reduce).`,
        { store: materialized?.storeName },
      );
    }
    const storeMaterialized = sliding ? { ...materialized, valueSerde: slidingValueSerde(aggSerde!) } : materialized;
    const store = addStore(graph, 'window', storeMaterialized as Materialized<unknown, unknown>, {
      prefix,
      keySerde: this.grouped.keySerde,
      retentionMs: windowRetentionMs(this.spec),
      windowSizeMs: size,
      windowLayout: sliding ? 'by-key' : 'by-window',
    });
    const parent = this.grouped.input(store.name);
    const name = graph.newName(prefix);
    graph.addNode({ kind: 'windowAggregate', name, parents: [parent], stores: [store.name], store: store.name, windows: this.spec, initializer, aggregator: aggregator as Aggregator<unknown, unknown, unknown> });
    // Sliding windows' Windowed keys have end = start + timeDifference, inclusive (Kafka Streams' TimeWindow for SlidingWindows).
    const keySerde = store.keySerde ? WindowedSerdes.timeWindowed(store.keySerde, size) : undefined;
    // A sliding window still takes records at its end (inclusive), so it closes one ms later than a time window with the same grace.
    const windowGraceMs = sliding ? this.spec.graceMs + 1 : this.spec.graceMs;
    const valueSerde = sliding ? aggSerde : store.valueSerde;
    return new KTable<Windowed<K>, VA>(graph, name, { keySerde: keySerde as Serde<unknown> | undefined, valueSerde, storeName: store.name, windowGraceMs });
  }
}

/** A sliding window's stored value: the aggregate and the largest record timestamp in the window. */
export interface SlidingWindowValue {
  readonly agg: unknown;
  readonly maxTs: number;
}

/**
 * Store format of a sliding window (Kafka Streams' ValueAndTimestamp layout): 8-byte big-endian
 * latest record timestamp, then the aggregate's bytes (an empty remainder means a null aggregate).
 */
export function slidingValueSerde(inner: Serde<unknown>): Serde<SlidingWindowValue> {
  return {
    name: `SlidingWindowValue<${inner.name}>`,
    serialize(topic, v) {
      if (v === null || v === undefined) return null;
      const agg = inner.serialize(topic, v.agg) ?? Buffer.alloc(0);
      const out = Buffer.allocUnsafe(8 + agg.length);
      out.writeBigInt64BE(BigInt(v.maxTs), 0);
      agg.copy(out, 8);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null as unknown as SlidingWindowValue;
      if (data.length < 8) {
        throw new StreamwrightError('DESERIALIZATION', `A sliding window value needs at least 8 bytes but got ${data.length} on topic "${topic}". The store or changelog holds data of another format: reset the application's state.`, { topic });
      }
      return { maxTs: Number(data.readBigInt64BE(0)), agg: inner.deserialize(topic, data.subarray(8)) };
    },
  };
}

/** A grouped stream windowed into sessions. */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly spec: SessionWindowSpec,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.aggregate<number>(() => 0, (_k, _v, n) => n + 1, (_k, a, b) => a + b, { valueSerde: Serdes.Long(), ...materialized });
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const { initializer, aggregator } = reducerAsAggregator<K, V>(reducer);
    const merger: Merger<K, unknown> = (_k, a, b) => (aggregator(_k, b as V, a));
    return this.build<V>(initializer, aggregator, merger, { valueSerde: this.grouped.valueSerde as Serde<V>, ...materialized }, 'KSTREAM-REDUCE-');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, merger: Merger<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    return this.build(initializer, aggregator as Aggregator<K, V, unknown>, merger as Merger<K, unknown>, materialized, 'KSTREAM-AGGREGATE-');
  }

  private build<VA>(initializer: Initializer<unknown>, aggregator: Aggregator<K, V, unknown>, merger: Merger<K, unknown>, materialized: Materialized<K, VA> | undefined, prefix: string): KTable<Windowed<K>, VA> {
    const graph = this.grouped.stream.builder;
    const store = addStore(graph, 'session', materialized as Materialized<unknown, unknown>, { prefix, keySerde: this.grouped.keySerde, retentionMs: windowRetentionMs(this.spec) });
    const parent = this.grouped.input(store.name);
    const name = graph.newName(prefix);
    graph.addNode({
      kind: 'sessionAggregate',
      name,
      parents: [parent],
      stores: [store.name],
      store: store.name,
      windows: this.spec,
      initializer,
      aggregator: aggregator as Aggregator<unknown, unknown, unknown>,
      merger: merger as Merger<unknown, unknown>,
    });
    const keySerde = store.keySerde ? WindowedSerdes.sessionWindowed(store.keySerde) : undefined;
    // A session can still merge with a new record while it is in the store (end > stream time - gap - grace),
    // so suppress(untilWindowCloses) waits for end + gap + grace: its result is then final.
    return new KTable<Windowed<K>, VA>(graph, name, { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: store.valueSerde, storeName: store.name, windowGraceMs: this.spec.gapMs + this.spec.graceMs });
  }
}
