import type { FetchBatch, Header } from '../../../src/backend/backend-types.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import type { Topology } from '../../../src/graph/topology.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { Metrics } from '../../../src/runtime/metrics.js';
import { StreamTask, type TaskOptions } from '../../../src/runtime/stream-task.js';

/** A record a task's sinks handed to its collector. */
export interface CollectedRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: readonly Header[] | undefined;
}

export interface Harness {
  readonly task: StreamTask;
  readonly sent: CollectedRecord[];
  readonly metrics: Metrics;
  /** Virtual wall clock read by the task. */
  readonly clock: { now: number };
}

/** A StreamTask for sub-topology `sub` of `topology`, partition `partition`, with a capturing collector. */
export function taskFor(topology: Topology, opts: Partial<TaskOptions> & { sub?: number } = {}): Harness {
  const sent: CollectedRecord[] = [];
  const metrics = opts.metrics ?? new Metrics();
  const clock = { now: 0 };
  const task = new StreamTask({
    applicationId: opts.applicationId ?? 'app',
    topology,
    subtopology: topology.subtopologies[opts.sub ?? 0],
    partition: opts.partition ?? 0,
    collector: { send: (topic, partition, key, value, timestamp, headers) => sent.push({ topic, partition, key, value, timestamp, headers }) },
    metrics,
    logger: silentLogger,
    defaultKeySerde: opts.defaultKeySerde,
    defaultValueSerde: opts.defaultValueSerde,
    deserializationHandler: opts.deserializationHandler ?? 'log-and-fail',
    defaultTimestampExtractor: opts.defaultTimestampExtractor,
    clock: opts.clock ?? (() => clock.now),
    partitionsFor: opts.partitionsFor ?? (() => 1),
    stores: opts.stores,
    maxTaskIdleMs: opts.maxTaskIdleMs,
  });
  return { task, sent, metrics, clock };
}

/** A FetchBatch of records [key, value, timestamp] starting at `firstOffset`. */
export function fetchBatch<K, V>(
  topic: string,
  partition: number,
  firstOffset: number,
  records: readonly (readonly [K, V, number])[],
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): FetchBatch {
  return {
    topic,
    partition,
    size: records.length,
    offsets: records.map((_, i) => firstOffset + i),
    timestamps: records.map((r) => r[2]),
    keys: records.map((r) => keySerde.serialize(topic, r[0])),
    values: records.map((r) => valueSerde.serialize(topic, r[1])),
    headers: records.map(() => undefined),
    highWatermark: firstOffset + records.length,
  };
}

/** Decodes collected records of one topic. */
export function decode<K, V>(sent: readonly CollectedRecord[], topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): [K, V, number][] {
  return sent.filter((r) => r.topic === topic).map((r) => [keySerde.deserialize(topic, r.key), valueSerde.deserialize(topic, r.value), r.timestamp]);
}
