import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/** Extracts the foreign key (the right table's key) from a left value; null means "no foreign key". */
export type ForeignKeyExtractor<V, KO> = (value: V, key: unknown) => KO;

/**
 * Left side of a foreign-key join (Kafka Streams' SubscriptionSendProcessorSupplier): for each
 * update of the left table it unsubscribes from the old foreign key when the key changed and
 * subscribes to the new one, through the registration topic (child `registrationSink`), with a
 * hash of the new left value. When the result needs no right value (the row was deleted or has
 * no foreign key) it resolves it locally through `responseJoin`.
 */
export interface ForeignKeySubscriptionSendNode extends NodeBase<'foreignKeySubscriptionSend'> {
  readonly extractor: ForeignKeyExtractor<unknown, unknown>;
  readonly leftJoin: boolean;
  readonly registrationSink: string;
  readonly responseJoin: string;
  readonly leftKeySerde?: Serde<unknown>;
  readonly leftValueSerde?: Serde<unknown>;
  /** The right table's key serde: foreign keys are compared and partitioned by these bytes. */
  readonly foreignKeySerde?: Serde<unknown>;
  /** Set when the left table was not materialized: this node keeps its values here. */
  readonly ownLeftStore?: string;
}
