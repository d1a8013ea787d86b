import type { GraphBuilder } from '../graph/graph-builder.js';
import type { Serde } from '../graph/serde-types.js';
import { validateTopicName } from '../graph/topic-name.js';
import type { Consumed } from './dsl-options.js';
import { addStore, type Materialized } from './materialized.js';

/**
 * A table replicated in full on every instance (Kafka Streams' GlobalKTable): its store holds the
 * latest value per key of all partitions of its topic, restored to the topic's end before the app
 * processes anything, then kept up to date while it runs. It is only looked up (joinGlobal), so
 * the stream joined with it needs no co-partitioning. The store is in memory and not logged: the
 * source topic is its changelog.
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    readonly builder: GraphBuilder,
    /** Name of the processor that writes the global store. */
    readonly nodeName: string,
    readonly storeName: string,
    readonly keySerde: Serde<unknown> | undefined,
    readonly valueSerde: Serde<unknown> | undefined,
  ) {}

  /** The store to query through app.store(name) / the test driver. */
  get queryableStoreName(): string {
    return this.storeName;
  }

  /** @internal Carries K and V for type inference; never set. */
  declare readonly types?: (key: K) => V;
}

/**
 * @internal builder.globalTable(): a source node reading `topic` and a KTABLE-SOURCE processor that
 * writes the global store. Both form a global sub-topology (no tasks).
 */
export function addGlobalTable<K, V>(graph: GraphBuilder, topic: string, consumed: Consumed<K, V>, materialized: Materialized<K, V> | undefined): GlobalKTable<K, V> {
  validateTopicName(topic);
  const keySerde = consumed.keySerde as Serde<unknown> | undefined;
  const valueSerde = consumed.valueSerde as Serde<unknown> | undefined;
  // Kafka Streams creates the store first, then the source and processor.
  const store = addStore(
    graph,
    'keyValue',
    // In memory: lookups use keys mapped from stream records, which a LevelDB prefetch of the
    // stream's keys could not load. Not logged: the source topic is the changelog.
    { ...(materialized as Materialized<unknown, unknown> | undefined), storeType: 'in-memory', logging: false, caching: false },
    { prefix: `${topic}-`, keySerde, valueSerde },
  );
  const sourceName = graph.nameOrGenerate(consumed.name, 'KSTREAM-SOURCE-');
  graph.addNode({
    kind: 'source',
    name: sourceName,
    parents: [],
    stores: [],
    topics: [topic],
    keySerde,
    valueSerde,
    timestampExtractor: consumed.timestampExtractor,
    offsetReset: 'earliest',
    internal: false,
  });
  const name = graph.newName('KTABLE-SOURCE-');
  graph.addNode({ kind: 'globalTableSource', name, parents: [sourceName], stores: [store.name], store: store.name });
  return new GlobalKTable<K, V>(graph, name, store.name, store.keySerde, store.valueSerde);
}
