import type { GraphNode } from '../graph/graph-node.js';

/**
 * Kafka Streams takes each record through the whole sub-topology before the next one (depth first).
 * Batches go breadth first: a parent hands its whole output batch to its first child, then to the
 * next. That is the same thing unless paths that fork meet again, where batching would reorder
 * records of one key: a node with several parents (merge), two sinks that may write the same topic,
 * or a store used by two nodes that one record can reach. A custom Processor reads stream time per
 * record (currentStreamTimeMs()), which a batch has already advanced past records it has not seen.
 *
 * Returns the names of the source nodes whose runs must enter one record at a time. A store shared
 * by nodes that no single source reaches both of (a stream–table join's table source and join)
 * does not need it: a run holds records of one source only, so the two never interleave inside a
 * run, and what one run wrote is in the store before the next run reads it.
 */
export function recordOrderSources(nodes: readonly GraphNode[]): Set<string> {
  const sources = nodes.filter((n) => n.kind === 'source');
  if (needsRecordOrderEverywhere(nodes)) return new Set(sources.map((s) => s.name));
  const children = new Map<string, GraphNode[]>();
  const users = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const p of n.parents) push(children, p, n);
    for (const s of n.stores) push(users, s, n);
  }
  const out = new Set<string>();
  for (const src of sources) {
    const reached = reachedFrom(src, children, users);
    for (const storeUsers of users.values()) {
      let inRun = 0;
      for (const u of storeUsers) if (reached.has(u.name)) inRun++;
      if (inRun > 1) {
        out.add(src.name);
        break;
      }
    }
  }
  return out;
}

/** True when the sub-topology needs record order whatever the source (see recordOrderSources). */
export function needsRecordOrder(nodes: readonly GraphNode[]): boolean {
  return recordOrderSources(nodes).size > 0;
}

function needsRecordOrderEverywhere(nodes: readonly GraphNode[]): boolean {
  const sinkTopics = new Set<string>();
  let sinks = 0;
  let extractorSink = false;
  for (const n of nodes) {
    if (n.parents.length > 1 || n.kind === 'process') return true;
    if (n.kind !== 'sink') continue;
    sinks++;
    if (n.topic === undefined) extractorSink = true;
    else if (sinkTopics.has(n.topic)) return true;
    else sinkTopics.add(n.topic);
  }
  return extractorSink && sinks > 1;
}

/**
 * Nodes that may process records while a run of `src` goes through: its descendants, and the
 * descendants of every other user of a store they touch (reading or writing a cached store may
 * evict an entry, and the store's flush listener then forwards that table update to its children).
 */
function reachedFrom(src: GraphNode, children: ReadonlyMap<string, GraphNode[]>, users: ReadonlyMap<string, GraphNode[]>): Set<string> {
  const reached = new Set<string>();
  const stack = [...(children.get(src.name) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (reached.has(n.name)) continue;
    reached.add(n.name);
    stack.push(...(children.get(n.name) ?? []));
    for (const s of n.stores) for (const u of users.get(s)!) if (u !== n) stack.push(...(children.get(u.name) ?? []));
  }
  return reached;
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
