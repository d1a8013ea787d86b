import type { NodeBase } from './node-base.js';

/** Turns a topic's records into table updates (Change<V>), materialized in `store`; null values delete. */
export interface TableSourceNode extends NodeBase<'tableSource'> {
  readonly store: string;
}
