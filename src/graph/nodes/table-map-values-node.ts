import type { ValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** KTable mapValues: maps new and old values; nulls stay null. */
export interface TableMapValuesNode extends NodeBase<'tableMapValues'> {
  readonly mapper: ValueMapper<unknown, unknown, unknown>;
  readonly store?: string;
}
