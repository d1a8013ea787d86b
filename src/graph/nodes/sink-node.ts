import type { StreamPartitioner, TopicNameExtractor } from '../processor-types.js';
import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/** Serializes records and writes them to a topic, or to the topic an extractor picks per record. */
export interface SinkNode extends NodeBase<'sink'> {
  readonly topic?: string;
  readonly topicExtractor?: TopicNameExtractor<unknown, unknown>;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly partitioner?: StreamPartitioner<unknown, unknown>;
  /** True for repartition sinks: the topic is `<application.id>-<topic>`. */
  readonly internal: boolean;
}
