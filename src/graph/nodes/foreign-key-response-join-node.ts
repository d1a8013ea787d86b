import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/** Combines a left value with its foreign (right) value; the foreign value is null in a leftJoin without a match. */
export type ForeignKeyValueJoiner<V, VO, K, VR> = (value: V, foreignValue: VO, key: K) => VR;

/**
 * Left side of a foreign-key join, fed by the response topic (Kafka Streams'
 * ResponseJoinProcessorSupplier): drops a response whose hash is not the hash of the left row's
 * current value (it answers an older value, possibly with an older foreign key), else joins the
 * current left value with the foreign value and emits the result as a table update (Change).
 */
export interface ForeignKeyResponseJoinNode extends NodeBase<'foreignKeyResponseJoin'> {
  readonly joiner: ForeignKeyValueJoiner<unknown, unknown, unknown, unknown>;
  readonly leftJoin: boolean;
  readonly leftStore: string;
  readonly leftValueSerde?: Serde<unknown>;
  readonly foreignValueSerde?: Serde<unknown>;
  /** The materialized result (Materialized given): gives old values and skips null -> null. */
  readonly resultStore?: string;
}
