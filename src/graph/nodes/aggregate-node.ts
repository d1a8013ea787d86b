import type { Aggregator, Initializer } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Non-windowed stream aggregation into a key-value store; emits Change<aggregate> (a KTable). */
export interface AggregateNode extends NodeBase<'aggregate'> {
  readonly store: string;
  readonly initializer: Initializer<unknown>;
  readonly aggregator: Aggregator<unknown, unknown, unknown>;
}
