import type { ProcessorSupplier } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** A user Processor (Kafka Streams' process()/Processor API); one instance per task. */
export interface ProcessNode extends NodeBase<'process'> {
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
}
