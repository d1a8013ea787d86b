// The public API of streamwright. Everything a user imports comes from here.
export { StreamsBuilder, KStream, BranchedKStream } from './dsl/index.js';
export type { Consumed, Produced, Repartitioned, Named, Branched, ProcessOptions, ObservedRecord } from './dsl/index.js';
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
} from './graph/processor-types.js';
export { Serdes, serdeFrom } from './serde/index.js';
export { StreamsApp } from './runtime/streams-app.js';
export type { StreamsAppOptions } from './runtime/streams-app.js';
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
