import type { KeySelector } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Replaces the key, keeps the value. */
export interface SelectKeyNode extends NodeBase<'selectKey'> {
  readonly selector: KeySelector<unknown, unknown, unknown>;
}
