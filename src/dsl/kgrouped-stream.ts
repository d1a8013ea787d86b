import type { Aggregator, Initializer, Reducer } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { Serdes } from '../serde/serdes.js';
import type { KStream } from './kstream.js';
import { repartitionThrough } from './kstream.js';
import { CogroupedKStream } from './cogrouped-kstream.js';
import { KTable } from './ktable.js';
import { addStore, type Grouped, type Materialized } from './materialized.js';
import { SessionWindowedKStream, TimeWindowedKStream } from './windowed-kstream.js';
import { SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

/** A NO_VALUE marker lets reduce() run as an aggregation whose first value is the first record. */
const NO_VALUE = Symbol('no-value');

export function reducerAsAggregator<K, V>(reducer: Reducer<V>): { initializer: Initializer<unknown>; aggregator: Aggregator<K, V, unknown> } {
  return { initializer: () => NO_VALUE, aggregator: (_k, v, agg) => (agg === NO_VALUE ? v : reducer(agg as V, v)) };
}

/**
 * A stream grouped by key, ready to aggregate (Kafka Streams' KGroupedStream). When the key was
 * changed upstream, aggregating first writes through `<store or group name>-repartition` so each
 * key is aggregated by exactly one task; records with a null key are dropped there.
 */
export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    readonly stream: KStream<K, V>,
    readonly grouped: Grouped<K, V>,
  ) {}

  get keySerde(): Serde<unknown> | undefined {
    return (this.grouped.keySerde as Serde<unknown> | undefined) ?? this.stream.state.keySerde;
  }

  get valueSerde(): Serde<unknown> | undefined {
    return (this.grouped.valueSerde as Serde<unknown> | undefined) ?? this.stream.state.valueSerde;
  }

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.aggregate<number>(() => 0, (_k, _v, n) => n + 1, { valueSerde: Serdes.Long(), ...materialized });
  }

  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const { initializer, aggregator } = reducerAsAggregator<K, V>(reducer);
    return this.aggregateAs<V>(initializer, aggregator, { valueSerde: this.valueSerde as Serde<V>, ...materialized }, 'KSTREAM-REDUCE-');
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.aggregateAs(initializer, aggregator as Aggregator<K, V, unknown>, materialized, 'KSTREAM-AGGREGATE-');
  }

  /** Starts a cogroup: this stream's records update a shared aggregate through `aggregator`;
   * add more grouped streams with .cogroup(), then .aggregate(initializer). */
  cogroup<VA>(aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    return new CogroupedKStream<K, VA>(this as KGroupedStream<K, unknown>, aggregator as Aggregator<K, unknown, VA>);
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windows instanceof SessionWindows ? new SessionWindowedKStream(this, windows.spec) : new TimeWindowedKStream(this, windows.spec);
  }

  /** @internal Name of the node that feeds the aggregation, repartitioning first when needed. */
  input(storeName: string): string {
    if (!this.stream.state.repartitionRequired) return this.stream.nodeName;
    const base = this.grouped.name ?? storeName;
    const filtered = this.stream.filter((k) => k !== null && k !== undefined, { name: `${base}-repartition-filter` });
    return repartitionThrough(filtered as unknown as KStream<unknown, unknown>, base, this.keySerde, this.valueSerde, undefined).nodeName;
  }

  private aggregateAs<VA>(initializer: Initializer<unknown>, aggregator: Aggregator<K, V, unknown>, materialized: Materialized<K, VA> | undefined, prefix: string): KTable<K, VA> {
    const graph = this.stream.builder;
    const store = addStore(graph, 'keyValue', materialized as Materialized<unknown, unknown>, { prefix, keySerde: this.keySerde });
    const parent = this.input(store.name);
    const name = graph.newName(prefix);
    graph.addNode({ kind: 'aggregate', name, parents: [parent], stores: [store.name], store: store.name, initializer, aggregator: aggregator as Aggregator<unknown, unknown, unknown> });
    return new KTable<K, VA>(graph, name, { keySerde: store.keySerde, valueSerde: store.valueSerde, storeName: store.name });
  }
}
