import type { Serde } from '../graph/serde-types.js';
import type { StreamPartitioner, TimestampExtractor } from '../graph/processor-types.js';

/** Names the processor an operator adds (Kafka Streams' Named). */
export interface Named {
  readonly name?: string;
}

/** How a source topic is read (Kafka Streams' Consumed). */
export interface Consumed<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: 'earliest' | 'latest';
}

/** How a sink writes (Kafka Streams' Produced). */
export interface Produced<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** Options of repartition() (Kafka Streams' Repartitioned). */
export interface Repartitioned<K, V> extends Named {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly numberOfPartitions?: number;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** Options of process(): the stores the processor may use. */
export interface ProcessOptions extends Named {
  readonly stores?: readonly string[];
}

/** Options of a split() branch (Kafka Streams' Branched). */
export type Branched = Named;
