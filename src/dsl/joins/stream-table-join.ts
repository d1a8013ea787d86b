import type { ValueJoiner } from '../../graph/join-windows.js';
import type { Serde } from '../../graph/serde-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import type { Joined } from './join-options.js';
import { repartitionForJoin } from './join-repartition.js';
import { storeForJoin } from './materialize-for-join.js';

/**
 * Adds a KStream-KTable join (Kafka Streams' KStreamKTableJoin, KSTREAM-JOIN- / KSTREAM-LEFTJOIN-):
 * repartitions the stream if its key was changed, materializes the table if it is not, and joins
 * each stream record with the table's current value for its key.
 */
export function streamTableJoin<K, V, VT, VR>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT | null, K, VR>,
  joined: Joined<K, V, VT>,
  leftJoin: boolean,
): KStream<K, VR> {
  if (table.builder !== stream.builder) throw new StreamwrightError('TOPOLOGY_INVALID', 'join() needs a stream and a table from the same StreamsBuilder.');
  if (typeof joiner !== 'function') throw new StreamwrightError('TOPOLOGY_INVALID', `join() needs a ValueJoiner function (streamValue, tableValue, key) => result, got ${typeof joiner}.`);
  const b = stream.builder;
  const keySerde = (joined.keySerde as Serde<unknown> | undefined) ?? stream.state.keySerde ?? table.state.keySerde;
  const valueSerde = (joined.valueSerde as Serde<unknown> | undefined) ?? stream.state.valueSerde;
  const s = stream.state.repartitionRequired ? repartitionForJoin(stream, joined.name !== undefined ? `${joined.name}-left` : stream.nodeName, keySerde, valueSerde, leftJoin) : stream;
  const tableStore = storeForJoin(table as unknown as KTable<unknown, unknown>);
  const name = b.nameOrGenerate(joined.name, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  b.addNode({
    kind: 'streamTableJoin',
    name,
    parents: [s.nodeName],
    stores: [tableStore],
    leftJoin,
    tableStore,
    tableNode: table.nodeName,
    joiner: joiner as ValueJoiner<unknown, unknown, unknown, unknown>,
  });
  return new KStream<K, VR>(b, name, { keySerde, repartitionRequired: false });
}
