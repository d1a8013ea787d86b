import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/**
 * Right side of a foreign-key join, fed by the registration topic (Kafka Streams'
 * SubscriptionReceiveProcessorSupplier): records or removes each subscription in
 * `subscriptionStore` under (foreign key, left key), then answers with the right table's current
 * value from `rightStore` through the response topic.
 */
export interface ForeignKeySubscriptionReceiveNode extends NodeBase<'foreignKeySubscriptionReceive'> {
  readonly subscriptionStore: string;
  readonly rightStore: string;
  readonly foreignKeySerde?: Serde<unknown>;
  readonly foreignValueSerde?: Serde<unknown>;
}
