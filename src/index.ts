// The public API of streamwright. Everything a user imports comes from here.
export {
  StreamsBuilder,
  KStream,
  BranchedKStream,
  KTable,
  KGroupedStream,
  KGroupedTable,
  TimeWindowedKStream,
  SessionWindowedKStream,
  TimeWindows,
  SlidingWindows,
  SessionWindows,
  Suppressed,
  BufferConfig,
  JoinWindows,
  GlobalKTable,
  CogroupedKStream,
  TimeWindowedCogroupedKStream,
  SessionWindowedCogroupedKStream,
} from './dsl/index.js';
export type { StreamJoined, Joined, TableJoined, ForeignKeyJoinOptions } from './dsl/index.js';
export type { ValueJoiner, JoinWindowSpec } from './graph/join-windows.js';
export type { Consumed, Produced, Repartitioned, Named, Branched, ProcessOptions, ObservedRecord, Materialized, Grouped, TableOptions } from './dsl/index.js';
export { Topology } from './graph/topology.js';
export type { TopologyDescription, NodeDescription, SubtopologyDescription } from './graph/topology-description.js';
export type {
  Serde,
  Serializer,
  Deserializer,
} from './graph/serde-types.js';
export type {
  KeyValue,
  Predicate,
  KeyValueMapper,
  ValueMapper,
  FlatKeyValueMapper,
  FlatValueMapper,
  KeySelector,
  ForeachAction,
  Header,
  RecordMetadata,
  StreamRecord,
  TopicNameExtractor,
  StreamPartitioner,
  TimestampExtractor,
  PunctuationType,
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  Windowed,
  Change,
  Initializer,
  Aggregator,
  Reducer,
  Merger,
} from './graph/processor-types.js';
export { Serdes, serdeFrom, WindowedSerdes } from './serde/index.js';
export type {
  ReadOnlyKeyValueStore,
  ReadOnlyWindowStore,
  ReadOnlySessionStore,
  KeyValueStore,
  WindowStore,
  SessionStore,
  KeyValueEntry,
} from './state/store-types.js';
export { produceFrom } from './runtime/observable-edge.js';
export type { ProduceFromOptions, ProduceHandle } from './runtime/observable-edge.js';
export { StreamsApp } from './runtime/streams-app.js';
export type { StreamsAppOptions } from './runtime/streams-app.js';
export type { KeyQueryMetadata, StreamsMetadata } from './runtime/query-metadata.js';
export type { AppState, StateListener, ExceptionResponse, UncaughtExceptionHandler } from './runtime/app-state.js';
export { resolveConfig, CONFIG_KEYS } from './runtime/streams-config.js';
export type { StreamsConfig, StreamsConfigInput, ProcessingGuarantee } from './runtime/streams-config.js';
export { TimestampExtractors } from './runtime/timestamp-extractors.js';
export { Metrics } from './runtime/metrics.js';
export type { MetricValue } from './runtime/metrics.js';
export { consoleLogger, silentLogger } from './runtime/logger.js';
export type { Logger, LogLevel } from './runtime/logger.js';
export { acquireBackend, acquireEmbeddedBackend } from './runtime/backend-resolver.js';
export type { BackendLease } from './runtime/backend-resolver.js';
export type * from './backend/backend-types.js';
export { TopologyTestDriver, TestInputTopic, TestOutputTopic } from './testing/index.js';
export type { TestRecord, InputTopicOptions } from './testing/index.js';
export { StreamwrightError, ErrorCodes, isStreamwrightError } from './errors/index.js';
export type { ErrorCode } from './errors/index.js';
