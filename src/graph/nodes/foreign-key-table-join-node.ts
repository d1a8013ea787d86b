import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/**
 * Right side of a foreign-key join, fed by the right table's updates (Kafka Streams'
 * ForeignTableJoinProcessorSupplier): answers every subscription to the updated foreign key
 * (a prefix scan of `subscriptionStore`) with the new right value, or null for a delete.
 */
export interface ForeignKeyTableJoinNode extends NodeBase<'foreignKeyTableJoin'> {
  readonly subscriptionStore: string;
  readonly foreignKeySerde?: Serde<unknown>;
  readonly foreignValueSerde?: Serde<unknown>;
  /** Set when the right table was not materialized: this node keeps its values here. */
  readonly ownRightStore?: string;
}
