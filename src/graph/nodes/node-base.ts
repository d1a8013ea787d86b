/** Fields every graph node has. Nodes are plain, frozen data. */
export interface NodeBase<K extends string> {
  readonly kind: K;
  /** Unique in the topology, e.g. KSTREAM-FILTER-0000000003 or a user-given name. */
  readonly name: string;
  /** Names of upstream nodes, in order. Sources have none. */
  readonly parents: readonly string[];
  /** Names of the state stores this node reads or writes. */
  readonly stores: readonly string[];
}
