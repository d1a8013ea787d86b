import type { Serde } from '../../graph/serde-types.js';
import { KStream, repartitionThrough } from '../kstream.js';

/** Per builder and filter name: whether some join after this repartition takes null keys. */
const nullKeyPolicies = new WeakMap<object, Map<string, { keep: boolean }>>();

/**
 * Makes a stream whose key was changed upstream (selectKey, map, flatMap, ...) partitioned by its
 * new key before a join, as Kafka Streams does: writes through `<base>-repartition` and reads it
 * back, after `<base>-repartition-filter` drops null keys. As in Kafka 3.7+ (KIP-962), the filter
 * lets null keys through when a join that takes them follows (`keepNullKeys`: the left side of a
 * left stream–table or stream–stream join, either side of an outer join); a second join of the
 * same stream under the same base reuses the topic, and keeps null keys if either join does.
 */
export function repartitionForJoin<K, V>(stream: KStream<K, V>, base: string, keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined, keepNullKeys = false): KStream<K, V> {
  const b = stream.builder;
  const filterName = `${base}-repartition-filter`;
  const source = `${base}-repartition-source`;
  let policies = nullKeyPolicies.get(b);
  if (policies === undefined) nullKeyPolicies.set(b, (policies = new Map()));
  if (b.hasNode(filterName) && b.hasNode(source) && b.node(filterName).parents[0] === stream.nodeName) {
    const policy = policies.get(filterName);
    if (policy !== undefined && keepNullKeys) policy.keep = true;
    return new KStream<K, V>(b, source, { keySerde, valueSerde, repartitionRequired: false });
  }
  const policy = { keep: keepNullKeys };
  policies.set(filterName, policy);
  const filtered = stream.filter((k) => policy.keep || (k !== null && k !== undefined), { name: filterName });
  return repartitionThrough<K, V>(filtered as unknown as KStream<unknown, unknown>, base, keySerde, valueSerde, undefined);
}
