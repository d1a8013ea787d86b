import type { NodeBase } from './node-base.js';

/** Forwards the records of all its parents. */
export type MergeNode = NodeBase<'merge'>;
