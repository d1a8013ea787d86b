import type { NodeBase } from './node-base.js';

/** Forwards records unchanged (a named branch of split()). */
export type PassthroughNode = NodeBase<'passthrough'>;
