import type { GlobalKeyMapper, GlobalValueJoiner } from '../graph/nodes/stream-global-join-node.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Named } from './dsl-options.js';
import type { GlobalKTable } from './global-ktable.js';
import { KStream } from './kstream.js';

export interface GlobalJoinOptions extends Named {
  /** leftJoin: emit stream records without a match (or with a null mapped key) with null. */
  readonly left?: boolean;
}

/**
 * KStream-GlobalKTable join / leftJoin (Kafka Streams' stream.join(globalTable, keyMapper, joiner)):
 * each stream record looks up `keyMapper(key, value)` in the global table. Only stream records
 * emit; updates of the global table never do. The result keeps the stream's key, so no
 * repartitioning or co-partitioning is needed.
 *
 * Inner join: records with a null value, a null mapped key or no match are dropped (the null
 * cases are counted in dropped-records-total). leftJoin: a null mapped key or no match joins with
 * null; records with a null value are dropped.
 */
export function joinGlobal<K, V, GK, GV, VR>(
  stream: KStream<K, V>,
  globalTable: GlobalKTable<GK, GV>,
  /** null (or undefined) means "no key": dropped by join, joined with null by leftJoin. */
  keyMapper: GlobalKeyMapper<K, V, GK | null | undefined>,
  joiner: GlobalValueJoiner<V, GV | null, K, VR>,
  options: GlobalJoinOptions = {},
): KStream<K, VR> {
  if (stream.builder !== globalTable.builder) {
    throw new StreamwrightError('TOPOLOGY_INVALID', 'joinGlobal() needs a stream and a GlobalKTable from the same StreamsBuilder.');
  }
  if (typeof keyMapper !== 'function' || typeof joiner !== 'function') {
    throw new StreamwrightError('TOPOLOGY_INVALID', `joinGlobal() needs a key mapper and a joiner function (global store "${globalTable.storeName}").`, { store: globalTable.storeName });
  }
  const left = options.left === true;
  const graph = stream.builder;
  const name = graph.nameOrGenerate(options.name, left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  graph.addNode({
    kind: 'streamGlobalJoin',
    name,
    parents: [stream.nodeName],
    stores: [],
    globalStore: globalTable.storeName,
    keyMapper: keyMapper as GlobalKeyMapper<unknown, unknown, unknown>,
    joiner: joiner as GlobalValueJoiner<unknown, unknown, unknown, unknown>,
    leftJoin: left,
  });
  return new KStream<K, VR>(graph, name, { keySerde: stream.state.keySerde, repartitionRequired: stream.state.repartitionRequired });
}
