import type { Header, KeyValue } from '../graph/processor-types.js';
import type { Serializer } from '../graph/serde-types.js';

export interface InputTopicOptions {
  /** Timestamp of the first record piped without one. Default: the driver's start wall-clock time. */
  readonly startTimestampMs?: number;
  /** Added to the auto timestamp after each record piped without a timestamp. Default 0. */
  readonly autoAdvanceMs?: number;
}

/** Pipes records into a topic of a TopologyTestDriver; each is processed before pipeInput returns. */
export class TestInputTopic<K, V> {
  private nextTimestamp: number;

  /** @internal */
  constructor(
    readonly topic: string,
    private readonly keySerializer: Serializer<K>,
    private readonly valueSerializer: Serializer<V>,
    private readonly pipe: (topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: readonly Header[] | undefined) => void,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.nextTimestamp = startTimestampMs;
  }

  pipeInput(key: K, value: V, timestamp?: number, headers?: readonly Header[]): void {
    let ts = timestamp;
    if (ts === undefined) {
      ts = this.nextTimestamp;
      this.nextTimestamp += this.autoAdvanceMs;
    }
    this.pipe(this.topic, this.keySerializer.serialize(this.topic, key), this.valueSerializer.serialize(this.topic, value), ts, headers);
  }

  /** Pipes a value with a null key. */
  pipeValue(value: V, timestamp?: number): void {
    this.pipeInput(null as K, value, timestamp);
  }

  pipeKeyValueList(records: readonly KeyValue<K, V>[], startTimestampMs?: number, advanceMs = 0): void {
    records.forEach(([k, v], i) => this.pipeInput(k, v, startTimestampMs === undefined ? undefined : startTimestampMs + i * advanceMs));
  }

  advanceTime(ms: number): void {
    this.nextTimestamp += ms;
  }
}
