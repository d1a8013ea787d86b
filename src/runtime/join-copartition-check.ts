import type { GraphNode } from '../graph/graph-node.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

/** The input topics of one join, which must have the same number of partitions. */
export interface CopartitionGroup {
  readonly join: string;
  /** Topic names as the graph names them (internal ones unprefixed). */
  readonly topics: readonly { readonly name: string; readonly internal: boolean }[];
}

const JOIN_KINDS: ReadonlySet<GraphNode['kind']> = new Set(['streamStreamJoin', 'streamTableJoin', 'tableTableJoin']);

/**
 * Co-partition groups of the topology's joins (Kafka Streams' copartition groups): the source
 * topics upstream of a join node, and upstream of every node that shares a store with it (the
 * other side of a stream-stream or table-table join, the table a stream joins).
 */
export function joinCopartitionGroups(topology: Topology): CopartitionGroup[] {
  const users = new Map<string, GraphNode[]>();
  for (const n of topology.nodes) for (const s of n.stores) (users.get(s) ?? users.set(s, []).get(s)!).push(n);
  const groups: CopartitionGroup[] = [];
  const seen = new Set<string>();
  for (const n of topology.nodes) {
    if (!JOIN_KINDS.has(n.kind)) continue;
    const topics = new Map<string, boolean>();
    const visited = new Set<string>();
    const walk = (node: GraphNode): void => {
      if (visited.has(node.name)) return;
      visited.add(node.name);
      if (node.kind === 'source') {
        if (node.pattern === undefined) for (const t of node.topics) topics.set(t, node.internal);
        return;
      }
      for (const p of node.parents) walk(topology.node(p));
    };
    walk(n);
    for (const s of n.stores) for (const u of users.get(s) ?? []) walk(u);
    const list = [...topics].map(([name, internal]) => ({ name, internal })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const id = list.map((t) => t.name).join('\u0000');
    if (list.length < 2 || seen.has(id)) continue;
    seen.add(id);
    groups.push({ join: n.name, topics: list });
  }
  return groups;
}

/**
 * Partition counts for repartition topics of join groups that do not fix their own: the most
 * partitions among the group's external topics, so the join is co-partitioned by construction.
 */
export function copartitionedRepartitionCounts(groups: readonly CopartitionGroup[], externalCount: (topic: string) => number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) {
    let max = 0;
    for (const t of g.topics) if (!t.internal) max = Math.max(max, externalCount(t.name) ?? 0);
    if (max === 0) continue;
    for (const t of g.topics) if (t.internal && !out.has(t.name)) out.set(t.name, max);
  }
  return out;
}

/** Throws NOT_CO_PARTITIONED when the topics of a join group have different partition counts. */
export function checkCopartitioned(groups: readonly CopartitionGroup[], countOf: (topic: { name: string; internal: boolean }) => number | undefined, applicationId: string): void {
  for (const g of groups) {
    const counts = g.topics.map((t) => ({ topic: t.internal ? `${applicationId}-${t.name}` : t.name, partitions: countOf(t) }));
    const known = counts.filter((c) => c.partitions !== undefined);
    if (known.every((c) => c.partitions === known[0].partitions)) continue;
    const list = known.map((c) => `"${c.topic}" (${c.partitions} partitions)`).join(', ');
    throw new StreamwrightError(
      'NOT_CO_PARTITIONED',
      `Join "${g.join}" reads topics that are not co-partitioned: ${list}. Both sides of a join must have the same number of partitions, so that each key is in the same partition on both sides. Call repartition({ numberOfPartitions }) on the side whose topic differs, or recreate the topics with the same partition count.`,
      { join: g.join, topics: Object.fromEntries(known.map((c) => [c.topic, c.partitions])) },
    );
  }
}
