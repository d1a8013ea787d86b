import type { ForeachAction } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Terminal: calls an action for each record. */
export interface ForeachNode extends NodeBase<'foreach'> {
  readonly action: ForeachAction<unknown, unknown>;
}
