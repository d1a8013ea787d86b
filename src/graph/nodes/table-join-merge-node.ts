import type { NodeBase } from './node-base.js';

/** Merges the two sides of a KTable-KTable join (Kafka Streams' KTABLE-MERGE) and, when the
 * result is materialized, keeps it in `store`. */
export interface TableJoinMergeNode extends NodeBase<'tableJoinMerge'> {
  readonly store?: string;
}
