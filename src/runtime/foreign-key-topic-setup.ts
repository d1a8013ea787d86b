import type { LogAdmin } from '../backend/backend-types.js';
import type { Subtopology } from '../graph/subtopology.js';
import { Topology } from '../graph/topology.js';
import type { Logger } from './logger.js';

const REGISTRATION = '-subscription-registration-topic';
const RESPONSE = '-subscription-response-topic';

/** True when the topology has foreign-key join topics to size. */
export function hasForeignKeyTopics(topology: Topology): boolean {
  return topology.internalTopics.some((t) => t.name.endsWith(REGISTRATION) || t.name.endsWith(RESPONSE));
}

/**
 * Partition counts of the foreign-key joins' internal topics (Kafka Streams co-partitions them):
 * `<name>-subscription-registration-topic` gets the right table's count (it is read by the right
 * table's tasks and partitioned by foreign key like the right topic), and
 * `<name>-subscription-response-topic` the left table's (read by the left table's tasks).
 * setupTopics() would size each by its writer's sources, which is the other side (and the two
 * topics feed each other, so it cannot size them at all). Topics whose readers have no external
 * input topic are left out (with a warning).
 */
export async function foreignKeyTopicPartitions(topology: Topology, admin: LogAdmin, applicationId: string, logger: Logger): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const fkTopics = topology.internalTopics.filter((t) => t.name.endsWith(REGISTRATION) || t.name.endsWith(RESPONSE));
  if (fkTopics.length === 0) return out;
  const existing = new Set(await admin.listTopics());
  const counts = new Map<string, number>();
  const countOf = async (topic: string): Promise<number> => {
    if (!existing.has(topic)) return 0;
    if (!counts.has(topic)) counts.set(topic, (await admin.describeTopics([topic]))[0].partitions);
    return counts.get(topic)!;
  };
  /** Tasks of the sub-topology reading `topic`: the most partitions among its other inputs. */
  const tasksOf = async (sub: Subtopology | undefined, topic: string): Promise<number> => {
    let max = 0;
    for (const t of sub?.sourceTopics ?? []) max = Math.max(max, await countOf(t));
    for (const t of sub?.internalSourceTopics ?? []) if (t !== topic && !fkTopics.some((f) => f.name === t)) max = Math.max(max, await countOf(`${applicationId}-${t}`));
    return max;
  };
  for (const spec of fkTopics) {
    if (spec.partitions !== undefined) continue;
    const n = await tasksOf(topology.subtopologyOfSource(spec.name), spec.name);
    if (n > 0) out.set(spec.name, n);
    else logger.warn(`Cannot tell how many partitions foreign-key join topic "${applicationId}-${spec.name}" needs: the table that reads it has no input topic that exists yet.`);
  }
  return out;
}

/** The same topology with fixed partition counts for some internal topics (for setupTopics()). */
export function withInternalTopicPartitions(topology: Topology, partitions: ReadonlyMap<string, number>): Topology {
  if (partitions.size === 0) return topology;
  const specs = topology.internalTopics.map((t) => (partitions.has(t.name) ? { ...t, partitions: partitions.get(t.name)! } : t));
  return new Topology(topology.nodes, topology.stores, specs);
}
