import type { Predicate } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** KTable filter: values failing the predicate become deletes (null), as in Kafka Streams. */
export interface TableFilterNode extends NodeBase<'tableFilter'> {
  readonly predicate: Predicate<unknown, unknown>;
  readonly negate: boolean;
  /** Materialize the result here when given. */
  readonly store?: string;
}
