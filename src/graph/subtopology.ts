import type { GraphNode } from './graph-node.js';

/** A connected part of the topology: one task per input partition runs it. */
export interface Subtopology {
  readonly id: number;
  /** In creation order. */
  readonly nodes: readonly GraphNode[];
  /** Source topics as the nodes name them (internal ones unprefixed). */
  readonly sourceTopics: readonly string[];
  readonly internalSourceTopics: readonly string[];
  readonly sourcePatterns: readonly RegExp[];
  readonly sinkTopics: readonly string[];
  readonly stores: readonly string[];
  /** A global sub-topology (builder.globalTable()): its store is replicated on every instance
   * from all partitions of its source topic, and it creates no tasks. */
  readonly global?: boolean;
}

/**
 * Splits nodes into sub-topologies: connected components of the parent/child edges, where a
 * repartition topic (an internal sink feeding an internal source) is not an edge, and nodes that
 * share a state store belong together. Ids follow the creation order of each part's first node.
 */
export function splitSubtopologies(nodes: readonly GraphNode[]): Subtopology[] {
  return splitAllSubtopologies(nodes).filter((s) => !s.global);
}

/** Global sub-topologies only (the parts that hold a globalTable's source and store). */
export function globalSubtopologies(nodes: readonly GraphNode[]): Subtopology[] {
  return splitAllSubtopologies(nodes).filter((s) => s.global === true);
}

/** Every sub-topology, task-creating and global, numbered together in creation order (as Kafka
 * Streams numbers its node groups). */
export function splitAllSubtopologies(nodes: readonly GraphNode[]): Subtopology[] {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.name, i));
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const storeOwner = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const p of n.parents) union(i, index.get(p)!);
    for (const s of n.stores) {
      const owner = storeOwner.get(s);
      if (owner === undefined) storeOwner.set(s, i);
      else union(i, owner);
    }
  });
  const groups = new Map<number, GraphNode[]>();
  nodes.forEach((n, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(n);
  });
  const roots = [...groups.keys()].sort((a, b) => a - b);
  return roots.map((root, id) => describeGroup(id, groups.get(root)!));
}

function describeGroup(id: number, nodes: GraphNode[]): Subtopology {
  const sourceTopics: string[] = [];
  const internalSourceTopics: string[] = [];
  const sourcePatterns: RegExp[] = [];
  const sinkTopics: string[] = [];
  const stores = new Set<string>();
  let global = false;
  for (const n of nodes) {
    n.stores.forEach((s) => stores.add(s));
    if (n.kind === 'globalTableSource') global = true;
    if (n.kind === 'source') {
      if (n.pattern) sourcePatterns.push(n.pattern);
      for (const t of n.topics) (n.internal ? internalSourceTopics : sourceTopics).push(t);
    } else if (n.kind === 'sink' && n.topic !== undefined) {
      sinkTopics.push(n.topic);
    }
  }
  return Object.freeze({
    id,
    nodes: Object.freeze(nodes),
    sourceTopics: Object.freeze(sourceTopics),
    internalSourceTopics: Object.freeze(internalSourceTopics),
    sourcePatterns: Object.freeze(sourcePatterns),
    sinkTopics: Object.freeze(sinkTopics),
    stores: Object.freeze([...stores]),
    ...(global ? { global: true } : {}),
  });
}
