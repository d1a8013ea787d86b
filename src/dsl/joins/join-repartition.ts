import type { Serde } from '../../graph/serde-types.js';
import { KStream, repartitionThrough } from '../kstream.js';

/**
 * Makes a stream whose key was changed upstream (selectKey, map, flatMap, ...) partitioned by its
 * new key before a join, as Kafka Streams does: drops null keys (they cannot join), writes through
 * `<base>-repartition` and reads it back. A second join of the same stream under the same base
 * reuses the topic.
 */
export function repartitionForJoin<K, V>(stream: KStream<K, V>, base: string, keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined): KStream<K, V> {
  const b = stream.builder;
  const filterName = `${base}-repartition-filter`;
  const source = `${base}-repartition-source`;
  if (b.hasNode(filterName) && b.hasNode(source) && b.node(filterName).parents[0] === stream.nodeName) {
    return new KStream<K, V>(b, source, { keySerde, valueSerde, repartitionRequired: false });
  }
  const filtered = stream.filter((k) => k !== null && k !== undefined, { name: filterName });
  return repartitionThrough<K, V>(filtered as unknown as KStream<unknown, unknown>, base, keySerde, valueSerde, undefined);
}
