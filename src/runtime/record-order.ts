import type { GraphNode } from '../graph/graph-node.js';

/**
 * Kafka Streams takes each record through the whole sub-topology before the next one (depth first).
 * Batches go breadth first: a parent hands its whole output batch to its first child, then to the
 * next. That is the same thing unless paths that fork meet again, where batching would reorder
 * records of one key: a node with several parents (merge), two sinks that may write the same topic,
 * or a store used by two nodes that one record can reach. A custom Processor reads stream time per
 * record (currentStreamTimeMs()), which a batch has already advanced past records it has not seen.
 *
 * A run holds records of one source only, so all of this is decided per source: returns the names
 * of the source nodes whose runs must enter one record at a time. Paths that meet but that no
 * single source's run can both feed (a merge of two streams read from different topics, the two
 * sides of a stream–stream join merging their results, a stream–table join's table source and
 * join sharing the table's store) need no record order: runs follow each other in timestamp order.
 *
 * `cached(store)` says whether a store may forward on eviction (a record cache with a flush
 * listener): then the listener's owner may emit while another node's run touches the store.
 */
export function recordOrderSources(nodes: readonly GraphNode[], cached: (store: string) => boolean = () => true): Set<string> {
  const sources = nodes.filter((n) => n.kind === 'source');
  const children = new Map<string, GraphNode[]>();
  const users = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const p of n.parents) push(children, p, n);
    for (const s of n.stores) push(users, s, n);
  }
  const out = new Set<string>();
  for (const src of sources) {
    const { reached, emitters } = reachedFrom(src, children, users, cached);
    if (needsOrder(nodes, reached, emitters, users)) out.add(src.name);
  }
  return out;
}

/** True when the sub-topology needs record order for some source (see recordOrderSources). */
export function needsRecordOrder(nodes: readonly GraphNode[], cached?: (store: string) => boolean): boolean {
  return recordOrderSources(nodes, cached).size > 0;
}

/** Whether one source's run, reaching `reached` (and `emitters` may forward), needs record order. */
function needsOrder(nodes: readonly GraphNode[], reached: ReadonlySet<string>, emitters: ReadonlySet<string>, users: ReadonlyMap<string, GraphNode[]>): boolean {
  const sinkTopics = new Set<string>();
  let sinks = 0;
  let extractorSink = false;
  for (const n of nodes) {
    if (n.parents.length > 1) {
      let feeding = 0;
      for (const p of n.parents) if (emitters.has(p)) feeding++;
      if (feeding > 1) return true;
    }
    if (!reached.has(n.name)) continue;
    if (n.kind === 'process') return true;
    if (n.kind !== 'sink') continue;
    sinks++;
    if (n.topic === undefined) extractorSink = true;
    else if (sinkTopics.has(n.topic)) return true;
    else sinkTopics.add(n.topic);
  }
  if (extractorSink && sinks > 1) return true;
  for (const storeUsers of users.values()) {
    let inRun = 0;
    for (const u of storeUsers) if (reached.has(u.name)) inRun++;
    if (inRun > 1) return true;
  }
  return false;
}

/**
 * What may process records while a run of `src` goes through (`reached`: the source and its
 * descendants, and the descendants of every other user of a cached store they touch: reading or
 * writing a cached store may evict an entry, and the store's flush listener then forwards that
 * table update to its children), and which nodes may emit then (`emitters`: the reached ones and
 * those other store users).
 */
function reachedFrom(src: GraphNode, children: ReadonlyMap<string, GraphNode[]>, users: ReadonlyMap<string, GraphNode[]>, cached: (store: string) => boolean): { reached: Set<string>; emitters: Set<string> } {
  const reached = new Set<string>([src.name]);
  const emitters = new Set<string>([src.name]);
  const stack = [...(children.get(src.name) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (reached.has(n.name)) continue;
    reached.add(n.name);
    emitters.add(n.name);
    stack.push(...(children.get(n.name) ?? []));
    for (const s of n.stores) {
      if (!cached(s)) continue;
      for (const u of users.get(s)!) {
        if (u === n) continue;
        emitters.add(u.name);
        stack.push(...(children.get(u.name) ?? []));
      }
    }
  }
  return { reached, emitters };
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
