import type { FlatValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Zero or more values per input record, each with the input key. */
export interface FlatMapValuesNode extends NodeBase<'flatMapValues'> {
  readonly mapper: FlatValueMapper<unknown, unknown, unknown>;
}
