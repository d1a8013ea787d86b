import type { StreamPartitioner } from '../graph/processor-types.js';
import type { ForeignKeyExtractor } from '../graph/nodes/foreign-key-subscription-send-node.js';
import type { ForeignKeyValueJoiner } from '../graph/nodes/foreign-key-response-join-node.js';
import type { Serde } from '../graph/serde-types.js';
import { subscriptionResponseSerde, subscriptionWrapperSerde, subscriptionEntrySerde, type SubscriptionResponse } from '../graph/foreign-key-wrapper.js';
import { validateTopicName } from '../graph/topic-name.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { Serdes } from '../serde/serdes.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';

export interface ForeignKeyJoinOptions<K, VR> {
  /** leftJoin: left rows without a foreign key or without a right row join with null. */
  readonly left?: boolean;
  /** Base name of the join's processors, topics and store (Kafka Streams' TableJoined.withName). */
  readonly name?: string;
  /** Materializes the result (gives downstream old values and skips null -> null updates). */
  readonly materialized?: Materialized<K, VR>;
}

/** Sends each response back to the partition of the left task that subscribed. */
const toSubscriberPartition: StreamPartitioner<unknown, unknown> = (_topic, _key, value) => (value as SubscriptionResponse).partition;

/**
 * Foreign-key KTable-KTable join (Kafka Streams' table.join(other, foreignKeyExtractor, joiner)):
 * each row of `left` joins the row of `right` whose key is `foreignKeyExtractor(leftValue)`. The
 * result is a table keyed like `left`, updated when either side changes, including when a left
 * row moves to another foreign key and when either side is deleted.
 *
 * Like Kafka Streams it works across partitions and instances through two internal topics:
 * `<name>-subscription-registration-topic` (keyed and partitioned by foreign key, co-partitioned
 * with `right`) carries subscriptions from the left rows to the right side, which keeps them in
 * `<name>-subscription-store` under (foreign key, left key); `<name>-subscription-response-topic`
 * (keyed by left key, routed to the subscribing partition) carries right values back. Every
 * subscription carries a hash of the left value that sent it, and a response whose hash is not
 * the hash of the row's current value is dropped, so no result ever uses a stale foreign key.
 */
export function joinForeignKey<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  foreignKeyExtractor: ForeignKeyExtractor<V, KO | null>,
  joiner: ForeignKeyValueJoiner<V, VO, K, VR>,
  options: ForeignKeyJoinOptions<K, VR> = {},
): KTable<K, VR> {
  const graph = left.builder;
  if (right.builder !== graph) throw new StreamwrightError('TOPOLOGY_INVALID', 'A foreign-key join needs two KTables from the same StreamsBuilder.');
  if (typeof foreignKeyExtractor !== 'function' || typeof joiner !== 'function') {
    throw new StreamwrightError('TOPOLOGY_INVALID', 'A foreign-key join needs a foreign key extractor and a joiner function.');
  }
  const leftJoin = options.left === true;
  const base = graph.nameOrGenerate(options.name, 'KTABLE-FK-JOIN-');
  const regTopic = `${base}-subscription-registration-topic`;
  const respTopic = `${base}-subscription-response-topic`;
  validateTopicName(regTopic);
  validateTopicName(respTopic);
  const leftKeySerde = left.state.keySerde;
  const leftValueSerde = left.state.valueSerde;
  const foreignKeySerde = right.state.keySerde;
  const foreignValueSerde = right.state.valueSerde;

  // The left side reads current left values: the left table's store, or one the join keeps.
  const ownLeftStore = left.state.storeName === undefined ? addStore(graph, 'keyValue', { storeName: `${base}-left-store`, caching: false }, { prefix: '', keySerde: leftKeySerde, valueSerde: leftValueSerde }).name : undefined;
  const leftStore = left.state.storeName ?? ownLeftStore!;
  const ownRightStore = right.state.storeName === undefined ? addStore(graph, 'keyValue', { storeName: `${base}-right-store`, caching: false }, { prefix: '', keySerde: foreignKeySerde, valueSerde: foreignValueSerde }).name : undefined;
  const rightStore = right.state.storeName ?? ownRightStore!;
  // In memory with an index by foreign key (prefix scans stay synchronous), logged so it is restored.
  const subscriptionStore = graph.addStore({
    name: `${base}-subscription-store`,
    type: 'keyValue',
    keySerde: Serdes.Bytes() as Serde<unknown>,
    valueSerde: subscriptionEntrySerde as Serde<unknown>,
    persistent: false,
    logging: true,
    loggingConfig: {},
    caching: false,
  }).name;
  const resultStore = options.materialized ? addStore(graph, 'keyValue', options.materialized as Materialized<unknown, unknown>, { prefix: 'KTABLE-FK-JOIN-OUTPUT-', keySerde: leftKeySerde }) : undefined;

  const names = {
    send: `${base}-subscription-registration-processor`,
    regSink: `${base}-subscription-registration-sink`,
    regSource: `${base}-subscription-registration-source`,
    receive: `${base}-subscription-receive`,
    foreignJoin: `${base}-foreign-table-join`,
    respSink: `${base}-subscription-response-sink`,
    respSource: `${base}-subscription-response-source`,
    result: `${base}-result`,
  };
  const clash = Object.values(names).find((n) => graph.hasNode(n));
  if (clash !== undefined) {
    throw new StreamwrightError('TOPOLOGY_DUPLICATE_NAME', `Foreign-key join "${base}" would reuse the processor name "${clash}". Give the join a unique name.`, { name: clash });
  }
  graph.addInternalTopic({ name: regTopic, role: 'repartition', config: { 'cleanup.policy': 'delete' } });
  graph.addInternalTopic({ name: respTopic, role: 'repartition', config: { 'cleanup.policy': 'delete' } });

  // Left side: subscribe, and resolve locally what needs no right value.
  graph.addNode({
    kind: 'foreignKeySubscriptionSend',
    name: names.send,
    parents: [left.nodeName],
    stores: ownLeftStore ? [ownLeftStore] : [],
    extractor: foreignKeyExtractor as ForeignKeyExtractor<unknown, unknown>,
    leftJoin,
    registrationSink: names.regSink,
    responseJoin: names.result,
    leftKeySerde,
    leftValueSerde,
    foreignKeySerde,
    ownLeftStore,
  });
  graph.addNode({ kind: 'sink', name: names.regSink, parents: [names.send], stores: [], topic: regTopic, keySerde: foreignKeySerde, valueSerde: subscriptionWrapperSerde as Serde<unknown>, internal: true });

  // Right side: keep subscriptions, answer them, and answer again when the right row changes.
  graph.addNode({ kind: 'source', name: names.regSource, parents: [], stores: [], topics: [regTopic], keySerde: foreignKeySerde, valueSerde: subscriptionWrapperSerde as Serde<unknown>, internal: true });
  graph.addNode({
    kind: 'foreignKeySubscriptionReceive',
    name: names.receive,
    parents: [names.regSource],
    stores: [subscriptionStore, rightStore],
    subscriptionStore,
    rightStore,
    foreignKeySerde,
    foreignValueSerde,
  });
  graph.addNode({
    kind: 'foreignKeyTableJoin',
    name: names.foreignJoin,
    parents: [right.nodeName],
    stores: ownRightStore ? [subscriptionStore, ownRightStore] : [subscriptionStore],
    subscriptionStore,
    foreignKeySerde,
    foreignValueSerde,
    ownRightStore,
  });
  graph.addNode({
    kind: 'sink',
    name: names.respSink,
    parents: [names.receive, names.foreignJoin],
    stores: [],
    topic: respTopic,
    keySerde: Serdes.Bytes() as Serde<unknown>,
    valueSerde: subscriptionResponseSerde as Serde<unknown>,
    partitioner: toSubscriberPartition,
    internal: true,
  });

  // Left side again: join responses that still match the current left value.
  graph.addNode({ kind: 'source', name: names.respSource, parents: [], stores: [], topics: [respTopic], keySerde: leftKeySerde, valueSerde: subscriptionResponseSerde as Serde<unknown>, internal: true });
  graph.addNode({
    kind: 'foreignKeyResponseJoin',
    name: names.result,
    parents: [names.respSource, names.send],
    stores: resultStore ? [leftStore, resultStore.name] : [leftStore],
    joiner: joiner as ForeignKeyValueJoiner<unknown, unknown, unknown, unknown>,
    leftJoin,
    leftStore,
    leftValueSerde,
    foreignValueSerde,
    resultStore: resultStore?.name,
  });
  return new KTable<K, VR>(graph, names.result, { keySerde: leftKeySerde, valueSerde: resultStore?.valueSerde, storeName: resultStore?.name });
}
