import type { ForeachAction } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Calls an action for each record and forwards it unchanged. */
export interface PeekNode extends NodeBase<'peek'> {
  readonly action: ForeachAction<unknown, unknown>;
}
