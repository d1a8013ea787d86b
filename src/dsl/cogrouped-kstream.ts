import type { Aggregator, Initializer, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { windowRetentionMs } from '../graph/window-spec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { WindowedSerdes } from '../serde/windowed-serdes.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';
import { TimeWindows } from './windows.js';

interface CogroupInput<K> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: Aggregator<K, unknown, unknown>;
}

/**
 * Several grouped streams aggregated into one table (Kafka Streams' CogroupedKStream): each input
 * has its own aggregator, all update the same aggregate per key in one store. The inputs must be
 * co-partitioned (they are read by one task per partition).
 */
export class CogroupedKStream<K, VA> {
  private readonly inputs: CogroupInput<K>[] = [];

  /** @internal */
  constructor(first: KGroupedStream<K, unknown>, aggregator: Aggregator<K, unknown, VA>) {
    this.inputs.push({ grouped: first, aggregator: aggregator as Aggregator<K, unknown, unknown> });
  }

  /** Adds another grouped stream with its own aggregator. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): this {
    if (grouped.stream.builder !== this.inputs[0].grouped.stream.builder) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'cogroup() needs grouped streams from the same StreamsBuilder.');
    }
    if (this.inputs.some((i) => i.grouped === (grouped as KGroupedStream<K, unknown>))) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'This grouped stream is already part of the cogroup; add each grouped stream once.');
    }
    this.inputs.push({ grouped: grouped as KGroupedStream<K, unknown>, aggregator: aggregator as Aggregator<K, unknown, unknown> });
    return this;
  }

  aggregate(initializer: Initializer<VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    const graph = this.inputs[0].grouped.stream.builder;
    const store = addStore(graph, 'keyValue', materialized as Materialized<unknown, unknown>, { prefix: 'COGROUPKSTREAM-AGGREGATE-', keySerde: this.inputs[0].grouped.keySerde });
    const parents = this.inputs.map((input) => {
      const name = graph.newName('COGROUPKSTREAM-AGGREGATE-');
      graph.addNode({ kind: 'aggregate', name, parents: [input.grouped.input(store.name)], stores: [store.name], store: store.name, initializer, aggregator: input.aggregator as Aggregator<unknown, unknown, unknown> });
      return name;
    });
    const merge = graph.newName('COGROUPKSTREAM-MERGE-');
    graph.addNode({ kind: 'merge', name: merge, parents, stores: [] });
    return new KTable<K, VA>(graph, merge, { keySerde: store.keySerde, valueSerde: store.valueSerde, storeName: store.name });
  }

  /** Tumbling or hopping windows over the cogrouped aggregate. */
  windowedBy(windows: TimeWindows): TimeWindowedCogroupedKStream<K, VA> {
    if (!(windows instanceof TimeWindows)) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'A cogrouped stream can be windowed by TimeWindows here; sliding and session windows are not supported for cogroup yet.');
    }
    return new TimeWindowedCogroupedKStream<K, VA>(this.inputs, windows);
  }
}

export class TimeWindowedCogroupedKStream<K, VA> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K>[],
    private readonly windows: TimeWindows,
  ) {}

  aggregate(initializer: Initializer<VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const graph = this.inputs[0].grouped.stream.builder;
    const spec = this.windows.spec;
    const store = addStore(graph, 'window', materialized as Materialized<unknown, unknown>, {
      prefix: 'COGROUPKSTREAM-AGGREGATE-',
      keySerde: this.inputs[0].grouped.keySerde,
      retentionMs: windowRetentionMs(spec),
      windowSizeMs: spec.sizeMs,
    });
    const parents = this.inputs.map((input) => {
      const name = graph.newName('COGROUPKSTREAM-AGGREGATE-');
      graph.addNode({ kind: 'windowAggregate', name, parents: [input.grouped.input(store.name)], stores: [store.name], store: store.name, windows: spec, initializer, aggregator: input.aggregator as Aggregator<unknown, unknown, unknown> });
      return name;
    });
    const merge = graph.newName('COGROUPKSTREAM-MERGE-');
    graph.addNode({ kind: 'merge', name: merge, parents, stores: [] });
    const keySerde = store.keySerde ? WindowedSerdes.timeWindowed(store.keySerde, spec.sizeMs) : undefined;
    return new KTable<Windowed<K>, VA>(graph, merge, { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: store.valueSerde, storeName: store.name, windowGraceMs: spec.graceMs });
  }
}
