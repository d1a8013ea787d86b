import type { JoinType, ValueJoiner } from '../join-windows.js';
import type { NodeBase } from './node-base.js';

/**
 * One side of a KTable-KTable join (Kafka Streams' KTABLE-JOINTHIS / -JOINOTHER and the LEFT/OUTER
 * variants): each update of this side's table is joined with the other table's current value
 * (read from `otherStore`), and the new and old join results travel on as a Change.
 */
export interface TableTableJoinNode extends NodeBase<'tableTableJoin'> {
  readonly side: 'left' | 'right';
  readonly joinType: JoinType;
  readonly otherStore: string;
  /** Always called as (leftValue, rightValue, key). */
  readonly joiner: ValueJoiner<unknown, unknown, unknown, unknown>;
}
