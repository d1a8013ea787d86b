import { GraphBuilder } from '../graph/graph-builder.js';
import type { Serde } from '../graph/serde-types.js';
import type { Topology } from '../graph/topology.js';
import { validateTopicName } from '../graph/topic-name.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Consumed } from './dsl-options.js';
import { KStream } from './kstream.js';
import { addGlobalTable, type GlobalKTable } from './global-ktable.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';

/** Entry point of the DSL (Kafka Streams' StreamsBuilder): define streams, then build() the topology. */
export class StreamsBuilder {
  /** @internal The graph under construction; the DSL only appends to it. */
  readonly graph = new GraphBuilder();

  /** A stream of one topic, several topics, or every topic matching a pattern. */
  stream<K = string | null, V = string | null>(topics: string | readonly string[] | RegExp, consumed: Consumed<K, V> = {}): KStream<K, V> {
    const list = topics instanceof RegExp ? [] : typeof topics === 'string' ? [topics] : [...topics];
    if (!(topics instanceof RegExp) && list.length === 0) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'stream() needs at least one topic (or a RegExp).');
    }
    list.forEach(validateTopicName);
    const name = this.graph.nameOrGenerate(consumed.name, 'KSTREAM-SOURCE-');
    const keySerde = consumed.keySerde as Serde<unknown> | undefined;
    const valueSerde = consumed.valueSerde as Serde<unknown> | undefined;
    this.graph.addNode({
      kind: 'source',
      name,
      parents: [],
      stores: [],
      topics: list,
      pattern: topics instanceof RegExp ? topics : undefined,
      keySerde,
      valueSerde,
      timestampExtractor: consumed.timestampExtractor,
      offsetReset: consumed.offsetReset,
      internal: false,
    });
    return new KStream<K, V>(this.graph, name, { keySerde, valueSerde, repartitionRequired: false });
  }

  /**
   * A table of a topic's latest value per key (Kafka Streams' builder.table()): null values delete.
   * Materialized in a store named `<topic>-STATE-STORE-<n>` unless Materialized names one.
   */
  table<K = string | null, V = string | null>(topic: string, consumed: Consumed<K, V> = {}, materialized?: Materialized<K, V>): KTable<K, V> {
    const stream = this.stream<K, V>(topic, consumed);
    const store = addStore(this.graph, 'keyValue', materialized as Materialized<unknown, unknown>, {
      prefix: `${topic}-`,
      keySerde: consumed.keySerde as Serde<unknown> | undefined,
      valueSerde: consumed.valueSerde as Serde<unknown> | undefined,
    });
    const name = this.graph.newName('KTABLE-SOURCE-');
    this.graph.addNode({ kind: 'tableSource', name, parents: [stream.nodeName], stores: [store.name], store: store.name });
    return new KTable<K, V>(this.graph, name, { keySerde: store.keySerde, valueSerde: store.valueSerde, storeName: store.name });
  }

  /**
   * A table of all partitions of `topic`, replicated on every instance (Kafka Streams'
   * builder.globalTable()): restored before processing starts, kept up to date while the app runs,
   * looked up with joinGlobal(). Its store is in memory and not logged (the topic is its changelog).
   */
  globalTable<K = string | null, V = string | null>(topic: string, consumed: Consumed<K, V> = {}, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    return addGlobalTable(this.graph, topic, consumed, materialized);
  }

  /** Validates and freezes the topology. */
  build(): Topology {
    return this.graph.build();
  }
}
