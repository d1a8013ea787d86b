import type { NodeBase } from './node-base.js';

/** Combines a stream value with the global table's value (null in a leftJoin without a match). */
export type GlobalValueJoiner<V, GV, K, VR> = (value: V, globalValue: GV, key: K) => VR;

/** Maps a stream record to the key it looks up in the global table. */
export type GlobalKeyMapper<K, V, GK> = (key: K, value: V) => GK;

/**
 * KStream-GlobalKTable join (Kafka Streams' KStreamGlobalKTableJoin): each stream record looks up
 * `keyMapper(key, value)` in the global store; global table updates never emit. A null mapped key
 * (or a null stream value) drops the record in an inner join; a leftJoin emits it with null.
 * `globalStore` is not in `stores`: the store belongs to the global sub-topology, not to this
 * node's tasks.
 */
export interface StreamGlobalJoinNode extends NodeBase<'streamGlobalJoin'> {
  readonly globalStore: string;
  readonly keyMapper: GlobalKeyMapper<unknown, unknown, unknown>;
  readonly joiner: GlobalValueJoiner<unknown, unknown, unknown, unknown>;
  readonly leftJoin: boolean;
}
