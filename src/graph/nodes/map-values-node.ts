import type { ValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Replaces the value, keeps the key (no repartition needed downstream). */
export interface MapValuesNode extends NodeBase<'mapValues'> {
  readonly mapper: ValueMapper<unknown, unknown, unknown>;
}
