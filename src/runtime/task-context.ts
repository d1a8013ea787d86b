import type { Cancellable, PunctuationType, TimestampExtractor } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RecordCollector } from './record-collector.js';

export type DeserializationHandler = 'log-and-continue' | 'log-and-fail';

/** What an operator can reach in its task. One per task. */
export interface TaskContext {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly collector: RecordCollector;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly deserializationHandler: DeserializationHandler;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  /** Largest timestamp processed by the task so far (-1 before the first record). */
  streamTime(): number;
  /** Raises stream time; called by sources as records enter. */
  advanceStreamTime(timestamp: number): void;
  wallClockTime(): number;
  schedule(node: string, intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable;
  getStateStore(name: string): unknown;
  /** Actual topic name: internal topics get the `<application.id>-` prefix. */
  resolveTopic(name: string, internal: boolean): string;
  /** Partition count of a topic when known (sinks with a custom partitioner need it). */
  partitionsFor(topic: string): number | undefined;
  /**
   * Registers asynchronous work an operator needs between synchronous runs (e.g. a suppression
   * buffer reading back spilled entries): the task awaits every step before each run of records
   * in processAsync() and before its stores are flushed at commit. A step returns undefined when it
   * has nothing to do. Only tasks that process asynchronously (persistent key-value stores) run them.
   */
  registerAsyncStep?(step: () => Promise<void> | undefined): void;
}
