import type { Header } from '../graph/processor-types.js';

/** A record read from a TestOutputTopic (Kafka Streams' TestRecord). */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: readonly Header[] | undefined;
  readonly topic: string;
}

/** A raw record as the driver keeps it per topic. */
export interface RawRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: readonly Header[] | undefined;
}
