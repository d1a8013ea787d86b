import type { Predicate } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/**
 * split(): each record goes to the first branch whose predicate holds. `branches[i]` is the name
 * of the passthrough child that receives records matching `predicates[i]`; a default branch is a
 * predicate that always holds. Records matching nothing are dropped, as in Kafka Streams.
 */
export interface BranchNode extends NodeBase<'branch'> {
  readonly predicates: readonly Predicate<unknown, unknown>[];
  readonly branches: readonly string[];
}
