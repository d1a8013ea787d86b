import type { Aggregator, Initializer, Merger } from '../processor-types.js';
import type { SessionWindowSpec } from '../window-spec.js';
import type { NodeBase } from './node-base.js';

/** Session-windowed aggregation into a session store; overlapping sessions merge with `merger`. */
export interface SessionAggregateNode extends NodeBase<'sessionAggregate'> {
  readonly store: string;
  readonly windows: SessionWindowSpec;
  readonly initializer: Initializer<unknown>;
  readonly aggregator: Aggregator<unknown, unknown, unknown>;
  readonly merger: Merger<unknown, unknown>;
}
