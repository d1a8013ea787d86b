import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';

const REGISTRATION = '-subscription-registration-topic';
const RESPONSE = '-subscription-response-topic';

/** A foreign-key join's subscription registration or response topic (graph name). */
export function isForeignKeyTopic(name: string): boolean {
  return name.endsWith(REGISTRATION) || name.endsWith(RESPONSE);
}

/**
 * Partition counts of a topology's internal topics, as Kafka Streams picks them (RepartitionTopics,
 * then CopartitionedTopicsEnforcer for the groups Streamwright checks), from the partition counts
 * of the external topics (`external`, by name; patterns match against its keys):
 *  - a fixed count (`repartition({ numberOfPartitions })`, or pre-sized) wins;
 *  - a join repartition topic takes the count of its co-partition group's external topics
 *    (`copartitioned`);
 *  - a foreign-key join's `-subscription-registration-topic` / `-subscription-response-topic`
 *    takes the task count of the sub-topology that reads it (the right / left table's), which it
 *    must be co-partitioned with. That count comes from the reader's other inputs: external topics,
 *    or internal ones (a table built by `groupBy().aggregate()`) sized by these same rules;
 *  - any other internal topic takes the most partitions among the sources of the sub-topologies
 *    that write it, internal sources sized recursively (a repartition topic fed only by internal
 *    topics takes the largest of theirs).
 * Throws TOPOLOGY_INVALID when a count depends on itself.
 */
export function sizeInternalTopics(topology: Topology, external: ReadonlyMap<string, number>, copartitioned: ReadonlyMap<string, number>): Map<string, number> {
  const sized = new Map<string, number>();
  const specs = new Map(topology.internalTopics.map((t) => [t.name, t]));
  const resolving = new Set<string>();

  /** The most partitions among a sub-topology's inputs (0 when none is known), skipping `skip`. */
  const inputsOf = (sub: Subtopology, skip: (internal: string) => boolean): number => {
    let max = 0;
    for (const t of sub.sourceTopics) max = Math.max(max, external.get(t) ?? 1);
    for (const t of sub.internalSourceTopics) if (!skip(t)) max = Math.max(max, countOf(t));
    for (const p of sub.sourcePatterns) for (const [t, n] of external) if (new RegExp(p.source, p.flags.replace(/[gy]/g, '')).test(t)) max = Math.max(max, n);
    return max;
  };

  const countOf = (name: string): number => {
    const known = sized.get(name);
    if (known !== undefined) return known;
    const spec = specs.get(name);
    if (spec === undefined) return 1;
    let n = spec.partitions ?? copartitioned.get(name);
    if (n === undefined) {
      if (resolving.has(name)) {
        throw new StreamwrightError('TOPOLOGY_INVALID', `Cannot size internal topic "${name}": its partition count depends on itself. Give one of the topics in the cycle a fixed count with repartition({ numberOfPartitions }).`, { topic: name });
      }
      resolving.add(name);
      let max = 0;
      const reader = isForeignKeyTopic(name) ? topology.subtopologyOfSource(name) : undefined;
      // A foreign-key topic is sized by its reader, whose other foreign-key input (the two topics
      // feed each other's writers) says nothing about its own table.
      if (reader !== undefined) max = inputsOf(reader, isForeignKeyTopic);
      if (max === 0) for (const sub of topology.subtopologies) if (sub.sinkTopics.includes(name)) max = Math.max(max, inputsOf(sub, () => false));
      resolving.delete(name);
      n = Math.max(max, 1);
    }
    sized.set(name, n);
    return n;
  };

  for (const spec of topology.internalTopics) countOf(spec.name);
  return sized;
}

/** Tasks of a sub-topology: the most partitions among its inputs (at least 1). */
export function taskCount(sub: Subtopology, external: ReadonlyMap<string, number>, internal: ReadonlyMap<string, number>): number {
  let tasks = 1;
  for (const t of sub.sourceTopics) tasks = Math.max(tasks, external.get(t) ?? 1);
  for (const t of sub.internalSourceTopics) tasks = Math.max(tasks, internal.get(t) ?? 1);
  return tasks;
}
