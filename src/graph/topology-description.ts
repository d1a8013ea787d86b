import { nodeRole, type GraphNode } from './graph-node.js';
import { splitAllSubtopologies } from './subtopology.js';
import type { Topology } from './topology.js';

export interface NodeDescription {
  readonly name: string;
  readonly type: 'Source' | 'Processor' | 'Sink';
  readonly kind: GraphNode['kind'];
  readonly topics?: readonly string[];
  readonly topicPattern?: string;
  readonly topic?: string;
  readonly stores: readonly string[];
  readonly successors: readonly string[];
  readonly predecessors: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  /** True for a global store's sub-topology, which creates no tasks. */
  readonly global?: boolean;
  readonly nodes: readonly NodeDescription[];
}

/** JSON form of a topology, plus toString() in the text shape of Kafka Streams' TopologyDescription. */
export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  toString(): string;
  toJSON(): { subtopologies: readonly SubtopologyDescription[] };
}

export function describeTopology(topology: Topology): TopologyDescription {
  const all = topology.nodes.some((n) => n.kind === 'globalTableSource') ? splitAllSubtopologies(topology.nodes) : topology.subtopologies;
  const subtopologies = all.map((sub): SubtopologyDescription => {
    const members = new Set(sub.nodes.map((n) => n.name));
    const size = subtreeSizes(topology, sub.nodes);
    // Kafka Streams' order: larger sub-tree first, then by name.
    const order = (a: string, b: string): number => size.get(b)! - size.get(a)! || (a < b ? -1 : a > b ? 1 : 0);
    const nodes = sub.nodes
      .map((n) => describeNode(n, topology.children(n.name).filter((c) => members.has(c)).sort(order), [...n.parents].sort(order)))
      .sort((a, b) => order(a.name, b.name));
    return sub.global ? { id: sub.id, global: true, nodes } : { id: sub.id, nodes };
  });
  const json = { subtopologies };
  return { subtopologies, toString: () => render(subtopologies), toJSON: () => json };
}

function subtreeSizes(topology: Topology, nodes: readonly GraphNode[]): Map<string, number> {
  const members = new Set(nodes.map((n) => n.name));
  const size = new Map<string, number>();
  const of = (name: string): number => {
    const known = size.get(name);
    if (known !== undefined) return known;
    let s = 1;
    for (const c of topology.children(name)) if (members.has(c)) s += of(c);
    size.set(name, s);
    return s;
  };
  for (const n of nodes) of(n.name);
  return size;
}

function describeNode(n: GraphNode, successors: string[], predecessors: string[]): NodeDescription {
  const base = { name: n.name, type: nodeRole(n), kind: n.kind, stores: [...n.stores], successors, predecessors };
  if (n.kind === 'source') {
    return n.pattern ? { ...base, topicPattern: n.pattern.source } : { ...base, topics: [...n.topics] };
  }
  if (n.kind === 'sink') return n.topic !== undefined ? { ...base, topic: n.topic } : base;
  return base;
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}

function renderNode(d: NodeDescription): string {
  switch (d.type) {
    case 'Source':
      return `Source: ${d.name} (topics: ${d.topicPattern ?? `[${(d.topics ?? []).join(', ')}]`})\n      --> ${names(d.successors)}`;
    case 'Sink':
      return `Sink: ${d.name} (${d.topic !== undefined ? `topic: ${d.topic}` : 'extractor class: TopicNameExtractor'})\n      <-- ${names(d.predecessors)}`;
    default:
      return `Processor: ${d.name} (stores: [${d.stores.join(', ')}])\n      --> ${names(d.successors)}\n      <-- ${names(d.predecessors)}`;
  }
}

function render(subtopologies: readonly SubtopologyDescription[]): string {
  let out = 'Topologies:\n ';
  for (const sub of subtopologies) {
    out += `  Sub-topology: ${sub.id}${sub.global ? ' for global store (will not generate tasks)' : ''}\n`;
    for (const n of sub.nodes) out += `    ${renderNode(n)}\n`;
    out += '\n';
  }
  return out;
}
