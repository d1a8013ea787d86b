import { StreamwrightError } from '../errors/streamwright-error.js';
import type { GraphNode } from './graph-node.js';
import type { InternalTopicSpec } from './internal-topic.js';
import type { StoreSpec } from './store-spec.js';
import { splitSubtopologies, type Subtopology } from './subtopology.js';
import { describeTopology, type TopologyDescription } from './topology-description.js';

/**
 * An immutable, validated topology DAG: what the runtime executes and describe() prints.
 * Nothing runs that this graph does not describe.
 */
export class Topology {
  readonly nodes: readonly GraphNode[];
  readonly stores: readonly StoreSpec[];
  readonly internalTopics: readonly InternalTopicSpec[];
  readonly subtopologies: readonly Subtopology[];
  private readonly byName: ReadonlyMap<string, GraphNode>;
  private readonly childrenOf: ReadonlyMap<string, readonly string[]>;

  constructor(nodes: readonly GraphNode[], stores: readonly StoreSpec[], internalTopics: readonly InternalTopicSpec[]) {
    this.nodes = Object.freeze([...nodes]);
    this.stores = Object.freeze([...stores]);
    this.internalTopics = Object.freeze([...internalTopics]);
    this.byName = new Map(nodes.map((n) => [n.name, n]));
    const children = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
    checkNamesAndParents(nodes, children);
    for (const n of nodes) for (const p of n.parents) children.get(p)!.push(n.name);
    this.childrenOf = children;
    this.validate();
    this.subtopologies = Object.freeze(splitSubtopologies(this.nodes));
  }

  node(name: string): GraphNode {
    const n = this.byName.get(name);
    if (!n) throw new StreamwrightError('TOPOLOGY_UNKNOWN_NODE', `No node named "${name}" in this topology.`, { name });
    return n;
  }

  children(name: string): readonly string[] {
    return this.childrenOf.get(name) ?? [];
  }

  store(name: string): StoreSpec | undefined {
    return this.stores.find((s) => s.name === name);
  }

  /** The sub-topology that reads `topic` (as named in the graph; internal topics unprefixed). */
  subtopologyOfSource(topic: string): Subtopology | undefined {
    return this.subtopologies.find((s) => s.sourceTopics.includes(topic) || s.internalSourceTopics.includes(topic));
  }

  describe(): TopologyDescription {
    return describeTopology(this);
  }

  private validate(): void {
    if (this.nodes.length === 0) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'The topology is empty: add at least one source (builder.stream(topic)) before building.');
    }
    const readers = new Map<string, string>();
    for (const n of this.nodes) {
      for (const store of n.stores) {
        if (!this.store(store)) {
          throw new StreamwrightError('STATE_STORE', `Processor "${n.name}" uses state store "${store}", which is not defined. Add the store to the builder before connecting it.`, { name: n.name, store });
        }
      }
      if (n.kind !== 'source') continue;
      for (const t of n.topics) {
        const other = readers.get(t);
        if (other) {
          throw new StreamwrightError('TOPOLOGY_INVALID', `Topic "${t}" is read by two sources, "${other}" and "${n.name}". Read it once and share the stream (or merge()).`, { topic: t, sources: [other, n.name] });
        }
        readers.set(t, n.name);
      }
    }
    this.checkAcyclic();
  }

  private checkAcyclic(): void {
    const state = new Map<string, 1 | 2>();
    const visit = (name: string, path: string[]): void => {
      const s = state.get(name);
      if (s === 2) return;
      if (s === 1) {
        const cycle = [...path.slice(path.indexOf(name)), name];
        throw new StreamwrightError('TOPOLOGY_CYCLE', `The topology has a cycle: ${cycle.join(' -> ')}. Processors must form a DAG; loop through a topic instead.`, { cycle });
      }
      state.set(name, 1);
      path.push(name);
      for (const c of this.children(name)) visit(c, path);
      path.pop();
      state.set(name, 2);
    };
    for (const n of this.nodes) visit(n.name, []);
  }
}

/** A graph handed straight to the constructor (not built by GraphBuilder) may name a node twice or
 * point at a parent that is not there; say so instead of failing on a missing map entry. */
function checkNamesAndParents(nodes: readonly GraphNode[], known: ReadonlyMap<string, unknown>): void {
  if (known.size !== nodes.length) {
    const seen = new Set<string>();
    for (const n of nodes) {
      if (seen.has(n.name)) {
        throw new StreamwrightError('TOPOLOGY_DUPLICATE_NAME', `Processor name "${n.name}" is used twice in this topology. Give each node a unique name.`, { name: n.name });
      }
      seen.add(n.name);
    }
  }
  for (const n of nodes) {
    for (const parent of n.parents) {
      if (!known.has(parent)) {
        throw new StreamwrightError('TOPOLOGY_UNKNOWN_NODE', `Node "${n.name}" names an unknown parent "${parent}". Add the parent node to the topology first.`, { name: n.name, parent });
      }
    }
  }
}
