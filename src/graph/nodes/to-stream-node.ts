import type { NodeBase } from './node-base.js';

/** KTable.toStream(): forwards each update's new value (null for deletes) as a record. */
export type ToStreamNode = NodeBase<'toStream'>;
