import type { JoinType, ValueJoiner } from '../../graph/join-windows.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { KTable } from '../ktable.js';
import { addStore, type Materialized } from '../materialized.js';
import type { TableJoined } from './join-options.js';
import { storeForJoin } from './materialize-for-join.js';

const PREFIXES: Record<JoinType, readonly [string, string]> = {
  inner: ['KTABLE-JOINTHIS-', 'KTABLE-JOINOTHER-'],
  left: ['KTABLE-LEFTTHIS-', 'KTABLE-LEFTOTHER-'],
  outer: ['KTABLE-OUTERTHIS-', 'KTABLE-OUTEROTHER-'],
};

/**
 * Adds a KTable-KTable join on the key (Kafka Streams' KTableKTableJoin): both tables are
 * materialized (automatically if needed); an update on either side is joined with the other
 * side's current value; KTABLE-MERGE- forwards both sides' Changes and keeps the result in a
 * store when Materialized is given.
 */
export function tableTableJoin<K, V, VO, VR>(
  left: KTable<K, V>,
  right: KTable<K, VO>,
  joiner: ValueJoiner<V | null, VO | null, K, VR>,
  options: TableJoined<K, VR>,
  joinType: JoinType,
): KTable<K, VR> {
  if (right.builder !== left.builder) throw new StreamwrightError('TOPOLOGY_INVALID', 'join() needs two tables from the same StreamsBuilder.');
  if (typeof joiner !== 'function') throw new StreamwrightError('TOPOLOGY_INVALID', `join() needs a ValueJoiner function (leftValue, rightValue, key) => result, got ${typeof joiner}.`);
  const b = left.builder;
  const leftStore = storeForJoin(left as unknown as KTable<unknown, unknown>);
  const rightStore = storeForJoin(right as unknown as KTable<unknown, unknown>);
  const [thisPrefix, otherPrefix] = PREFIXES[joinType];
  const thisName = options.name !== undefined ? `${options.name}-join-this` : b.newName(thisPrefix);
  const otherName = options.name !== undefined ? `${options.name}-join-other` : b.newName(otherPrefix);
  const mergeName = b.nameOrGenerate(options.name, 'KTABLE-MERGE-');
  const keySerde = left.state.keySerde ?? right.state.keySerde;
  const store = options.materialized
    ? addStore(b, 'keyValue', options.materialized as Materialized<unknown, unknown>, { prefix: 'KTABLE-MERGE-', keySerde })
    : undefined;
  const fn = joiner as ValueJoiner<unknown, unknown, unknown, unknown>;
  b.addNode({ kind: 'tableTableJoin', name: thisName, parents: [left.nodeName], stores: [rightStore], side: 'left', joinType, otherStore: rightStore, joiner: fn });
  b.addNode({ kind: 'tableTableJoin', name: otherName, parents: [right.nodeName], stores: [leftStore], side: 'right', joinType, otherStore: leftStore, joiner: fn });
  b.addNode({ kind: 'tableJoinMerge', name: mergeName, parents: [thisName, otherName], stores: store ? [store.name] : [], store: store?.name });
  return new KTable<K, VR>(b, mergeName, { keySerde: store?.keySerde ?? keySerde, valueSerde: store?.valueSerde, storeName: store?.name });
}
