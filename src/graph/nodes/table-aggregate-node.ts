import type { Aggregator, Initializer } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** KGroupedTable aggregation: subtract old values, add new ones. Emits Change<aggregate>. */
export interface TableAggregateNode extends NodeBase<'tableAggregate'> {
  readonly store: string;
  readonly initializer: Initializer<unknown>;
  readonly adder: Aggregator<unknown, unknown, unknown>;
  readonly subtractor: Aggregator<unknown, unknown, unknown>;
}
