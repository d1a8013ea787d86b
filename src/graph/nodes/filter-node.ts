import type { Predicate } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Keeps records for which the predicate holds (or fails, when `negate`: filterNot). */
export interface FilterNode extends NodeBase<'filter'> {
  readonly predicate: Predicate<unknown, unknown>;
  readonly negate: boolean;
}
