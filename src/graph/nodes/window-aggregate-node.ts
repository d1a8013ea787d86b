import type { Aggregator, Initializer } from '../processor-types.js';
import type { SlidingWindowSpec, TimeWindowSpec } from '../window-spec.js';
import type { NodeBase } from './node-base.js';

/** Time-windowed (tumbling, hopping) or sliding aggregation into a window store; emits
 * Change<aggregate> keyed by Windowed<K>. Records later than the window end + grace are dropped. */
export interface WindowAggregateNode extends NodeBase<'windowAggregate'> {
  readonly store: string;
  readonly windows: TimeWindowSpec | SlidingWindowSpec;
  readonly initializer: Initializer<unknown>;
  readonly aggregator: Aggregator<unknown, unknown, unknown>;
}
