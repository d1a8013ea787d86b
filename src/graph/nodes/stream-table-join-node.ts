import type { ValueJoiner } from '../join-windows.js';
import type { NodeBase } from './node-base.js';

/**
 * KStream-KTable join (Kafka Streams' KStreamKTableJoin): each stream record looks up the table's
 * current value for its key in `tableStore`; table updates never emit. leftJoin emits a stream
 * record without a table value with null for the table side.
 */
export interface StreamTableJoinNode extends NodeBase<'streamTableJoin'> {
  readonly leftJoin: boolean;
  readonly tableStore: string;
  /** The node whose output is the joined table (co-partitioning follows its sources). */
  readonly tableNode: string;
  readonly joiner: ValueJoiner<unknown, unknown, unknown, unknown>;
}
