import type { NodeBase } from './node-base.js';

/**
 * builder.globalTable(): upserts the records of every partition of its source topic into `store`
 * (null values delete). It and its source form a global sub-topology that creates no tasks: the
 * runtime replicates the store on every instance (Kafka Streams' global state store).
 */
export interface GlobalTableSourceNode extends NodeBase<'globalTableSource'> {
  readonly store: string;
}
