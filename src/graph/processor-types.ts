/**
 * Types of the user functions a graph carries. The runtime supplies the implementations of
 * ProcessorContext; the graph only holds the functions.
 */
import type { Serde } from './serde-types.js';

export type KeyValue<K, V> = readonly [K, V];

export type Predicate<K, V> = (key: K, value: V) => boolean;
export type KeyValueMapper<K, V, KR, VR> = (key: K, value: V) => KeyValue<KR, VR>;
/** Value first, key second, so `v => ...` works when the key is not needed. */
export type ValueMapper<V, K, VR> = (value: V, key: K) => VR;
export type FlatKeyValueMapper<K, V, KR, VR> = (key: K, value: V) => Iterable<KeyValue<KR, VR>>;
export type FlatValueMapper<V, K, VR> = (value: V, key: K) => Iterable<VR>;
export type KeySelector<K, V, KR> = (key: K, value: V) => KR;
export type ForeachAction<K, V> = (key: K, value: V) => void;

export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

/** Where the record being processed came from. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The record handed to a custom Processor (Kafka Streams' api.Record). */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: readonly Header[] | undefined;
}

/** Decides the topic of each record for `to(extractor)`. */
export type TopicNameExtractor<K, V> = (key: K, value: V, meta: RecordMetadata & { readonly timestamp: number }) => string;

/** Picks the partition for a sink; return undefined to use the default (murmur2 of the key bytes). */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Kafka Streams' TimestampExtractor: the event time of a record. */
export type TimestampExtractor = (key: unknown, value: unknown, recordTimestamp: number, partitionTime: number) => number;

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

export interface Cancellable {
  cancel(): void;
}

export interface ProcessorContext<KOut, VOut> {
  readonly applicationId: string;
  /** "<subtopology>_<partition>", e.g. "0_1". */
  readonly taskId: string;
  /** Metadata of the record being processed; undefined inside a punctuation. */
  recordMetadata(): RecordMetadata | undefined;
  /** The task's stream time: the largest timestamp it has processed. */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Sends a record to all children, or to the named child. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable;
  /** A state store connected to this processor. */
  getStateStore<S>(name: string): S;
}

/** Kafka Streams' api.Processor. process() is called synchronously, once per record. */
export interface Processor<KIn, VIn, KOut, VOut> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

export type ProcessorSupplier<KIn, VIn, KOut, VOut> = () => Processor<KIn, VIn, KOut, VOut>;

export interface SerdePair {
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
}

/** A key with the window it belongs to (Kafka Streams' Windowed<K>); `end` is exclusive. */
export interface Windowed<K> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
}

/** What flows between KTable operators: the new and the previous value of a key (null: none). */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;
