import type { Aggregator, Initializer, Merger, Reducer, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
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
    const size = this.spec.type === 'time' ? this.spec.sizeMs : this.spec.timeDifferenceMs;
    const store = addStore(graph, 'window', materialized as Materialized<unknown, unknown>, {
      prefix,
      keySerde: this.grouped.keySerde,
      retentionMs: windowRetentionMs(this.spec),
      windowSizeMs: size,
    });
    const parent = this.grouped.input(store.name);
    const name = graph.newName(prefix);
    graph.addNode({ kind: 'windowAggregate', name, parents: [parent], stores: [store.name], store: store.name, windows: this.spec, initializer, aggregator: aggregator as Aggregator<unknown, unknown, unknown> });
    const keySerde = store.keySerde ? WindowedSerdes.timeWindowed(store.keySerde, size) : undefined;
    return new KTable<Windowed<K>, VA>(graph, name, { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: store.valueSerde, storeName: store.name, windowGraceMs: this.spec.graceMs });
  }
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
    return new KTable<Windowed<K>, VA>(graph, name, { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: store.valueSerde, storeName: store.name, windowGraceMs: this.spec.graceMs });
  }
}
