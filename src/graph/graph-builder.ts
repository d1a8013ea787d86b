import { StreamwrightError } from '../errors/streamwright-error.js';
import type { GraphNode } from './graph-node.js';
import type { InternalTopicSpec } from './internal-topic.js';
import type { StoreSpec } from './store-spec.js';
import { Topology } from './topology.js';

/**
 * Append-only builder of a topology graph (Kafka Streams' InternalStreamsBuilder). The DSL and
 * the SQL planner only ever call newName/addNode/addStore/addInternalTopic; build() freezes a
 * snapshot into an immutable Topology.
 */
export class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly stores = new Map<string, StoreSpec>();
  private readonly internalTopics = new Map<string, InternalTopicSpec>();
  private index = 0;

  /** A deterministic name: `${prefix}${10-digit counter}`, e.g. KSTREAM-FILTER-0000000003. */
  newName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  /** Uses the user's name when given, otherwise a generated one. */
  nameOrGenerate(userName: string | undefined, prefix: string): string {
    if (userName === undefined) return this.newName(prefix);
    if (typeof userName !== 'string' || userName.length === 0) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `A node name must be a non-empty string, got ${JSON.stringify(userName)}.`);
    }
    return userName;
  }

  addNode<N extends GraphNode>(node: N): N {
    if (this.nodes.has(node.name)) {
      throw new StreamwrightError(
        'TOPOLOGY_DUPLICATE_NAME',
        `Processor name "${node.name}" is used twice in this topology. Give each operator a unique name (the { name } option), or leave it out to get a generated one.`,
        { name: node.name },
      );
    }
    for (const parent of node.parents) {
      if (!this.nodes.has(parent)) {
        throw new StreamwrightError('TOPOLOGY_UNKNOWN_NODE', `Node "${node.name}" names an unknown parent "${parent}".`, {
          name: node.name,
          parent,
        });
      }
    }
    const frozen = Object.freeze({ ...node, parents: Object.freeze([...node.parents]), stores: Object.freeze([...node.stores]) }) as unknown as N;
    this.nodes.set(node.name, frozen);
    return frozen;
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  node(name: string): GraphNode {
    const n = this.nodes.get(name);
    if (!n) throw new StreamwrightError('TOPOLOGY_UNKNOWN_NODE', `No node named "${name}" in this topology.`, { name });
    return n;
  }

  addStore(spec: StoreSpec): StoreSpec {
    if (this.stores.has(spec.name)) {
      throw new StreamwrightError(
        'STATE_STORE',
        `State store "${spec.name}" is defined twice. Give each Materialized store a unique name.`,
        { store: spec.name },
      );
    }
    const frozen = Object.freeze({ ...spec });
    this.stores.set(spec.name, frozen);
    return frozen;
  }

  hasStore(name: string): boolean {
    return this.stores.has(name);
  }

  addInternalTopic(spec: InternalTopicSpec): InternalTopicSpec {
    const frozen = Object.freeze({ ...spec });
    this.internalTopics.set(spec.name, frozen);
    return frozen;
  }

  /** Validates and freezes the graph (cycles, dangling stores). The builder stays usable. */
  build(): Topology {
    return new Topology([...this.nodes.values()], [...this.stores.values()], [...this.internalTopics.values()]);
  }
}
