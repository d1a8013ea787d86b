import type { GraphBuilder } from '../graph/graph-builder.js';
import type { Aggregator, Initializer, Reducer } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { Serdes } from '../serde/serdes.js';
import { KStream, repartitionThrough } from './kstream.js';
import { changeSerdeOf, KTable } from './ktable.js';
import { addStore, type Grouped, type Materialized } from './materialized.js';

/**
 * A re-grouped table (Kafka Streams' KGroupedTable): updates arrive as a subtraction of the old
 * value from its old group and an addition of the new value to its new group, through a
 * repartition topic, so aggregates stay correct when rows move between groups.
 */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: GraphBuilder,
    private readonly selectNode: string,
    private readonly grouped: Grouped<K, V>,
  ) {}

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.aggregate<number>(() => 0, (_k, _v, n) => n + 1, (_k, _v, n) => n - 1, { valueSerde: Serdes.Long(), ...materialized });
  }

  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V> {
    // A reduce keeps no initial value: the first addition becomes the aggregate.
    const NONE = Symbol('none');
    return this.build<V>(
      () => NONE,
      (_k, v, agg) => (agg === NONE ? v : adder(agg as V, v)),
      (_k, v, agg) => (agg === NONE ? agg : subtractor(agg as V, v)),
      { valueSerde: this.grouped.valueSerde, ...materialized },
      'KTABLE-REDUCE-',
    );
  }

  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.build(initializer, adder as Aggregator<K, V, unknown>, subtractor as Aggregator<K, V, unknown>, materialized, 'KTABLE-AGGREGATE-');
  }

  private build<VA>(initializer: Initializer<unknown>, adder: Aggregator<K, V, unknown>, subtractor: Aggregator<K, V, unknown>, materialized: Materialized<K, VA> | undefined, prefix: string): KTable<K, VA> {
    const keySerde = this.grouped.keySerde as Serde<unknown> | undefined;
    const store = addStore(this.builder, 'keyValue', materialized as Materialized<unknown, unknown>, { prefix, keySerde });
    // Module cycle kstream -> ktable -> here is fine: KStream is only used when this runs.
    const selected = new KStream<unknown, unknown>(this.builder, this.selectNode, { repartitionRequired: true });
    const base = this.grouped.name ?? store.name;
    const input = repartitionThrough(selected, base, keySerde, changeSerdeOf(this.grouped.valueSerde as Serde<unknown> | undefined), undefined);
    const name = this.builder.newName(prefix);
    this.builder.addNode({
      kind: 'tableAggregate',
      name,
      parents: [input.nodeName],
      stores: [store.name],
      store: store.name,
      initializer,
      adder: adder as Aggregator<unknown, unknown, unknown>,
      subtractor: subtractor as Aggregator<unknown, unknown, unknown>,
    });
    return new KTable<K, VA>(this.builder, name, { keySerde: store.keySerde, valueSerde: store.valueSerde, storeName: store.name });
  }
}
