import type { LogAdmin } from '../backend/backend-types.js';
import { Topology } from '../graph/topology.js';
import { isForeignKeyTopic, sizeInternalTopics } from './internal-topic-sizing.js';
import { copartitionedRepartitionCounts, joinCopartitionGroups } from './join-copartition-check.js';
import type { Logger } from './logger.js';

/** True when the topology has foreign-key join topics to size. */
export function hasForeignKeyTopics(topology: Topology): boolean {
  return topology.internalTopics.some((t) => isForeignKeyTopic(t.name));
}

/**
 * Partition counts of the foreign-key joins' internal topics (Kafka Streams co-partitions them
 * with the table that reads them): `<name>-subscription-registration-topic` gets the right
 * table's task count (it is read by the right table's tasks and partitioned by foreign key like the
 * right table's input), and `<name>-subscription-response-topic` the left table's. A table read
 * from an internal topic (e.g. built by `groupBy().aggregate()`) counts that topic's partitions,
 * sized from the external topics upstream of it (`sizeInternalTopics()`), so the counts are known
 * before any internal topic exists. StreamsApp passes them to setupTopics() as fixed counts, so an
 * existing topic with another count is reported rather than used. Returns nothing while an
 * external input topic is missing (setupTopics() then reports it).
 */
export async function foreignKeyTopicPartitions(topology: Topology, admin: LogAdmin, applicationId: string, logger: Logger): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!hasForeignKeyTopics(topology)) return out;
  const existing = new Set(await admin.listTopics());
  const inputs = new Set<string>();
  for (const sub of topology.subtopologies) for (const t of sub.sourceTopics) inputs.add(t);
  const missing = [...inputs].filter((t) => !existing.has(t));
  if (missing.length > 0) {
    logger.warn(`Cannot size the foreign-key join topics of "${applicationId}" yet: input topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist.`);
    return out;
  }
  // Pattern sources read every matching topic but the app's own internal ones.
  const patterns = topology.subtopologies.flatMap((sub) => sub.sourcePatterns.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, ''))));
  const described = [...existing].filter((t) => inputs.has(t) || (!t.startsWith(`${applicationId}-`) && patterns.some((re) => re.test(t))));
  const external = new Map<string, number>();
  for (const d of await admin.describeTopics(described)) external.set(d.name, d.partitions);
  const copartitioned = copartitionedRepartitionCounts(joinCopartitionGroups(topology), (t) => external.get(t));
  for (const [name, n] of sizeInternalTopics(topology, external, copartitioned)) {
    const spec = topology.internalTopics.find((t) => t.name === name)!;
    if (isForeignKeyTopic(name) && spec.partitions === undefined) out.set(name, n);
  }
  return out;
}

/** The same topology with fixed partition counts for some internal topics (for setupTopics()). */
export function withInternalTopicPartitions(topology: Topology, partitions: ReadonlyMap<string, number>): Topology {
  if (partitions.size === 0) return topology;
  const specs = topology.internalTopics.map((t) => (partitions.has(t.name) ? { ...t, partitions: partitions.get(t.name)! } : t));
  return new Topology(topology.nodes, topology.stores, specs);
}
