import type { FetchBatch, TopicPartitionOffset } from '../backend/backend-types.js';
import type { Cancellable, PunctuationType, TimestampExtractor } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import type { Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Operator } from './operator.js';
import { createOperator } from './operator-factories.js';
import { SourceOperator } from './operators/source-operator.js';
import { PartitionGroup, type InputSource, type Run } from './partition-group.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';
import { recordOrderSources } from './record-order.js';
import type { DeserializationHandler, TaskContext } from './task-context.js';

export interface TaskOptions {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly collector: RecordCollector;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly deserializationHandler: DeserializationHandler;
  readonly defaultTimestampExtractor?: TimestampExtractor;
  readonly clock: () => number;
  readonly partitionsFor: (topic: string) => number | undefined;
  readonly stores?: ReadonlyMap<string, unknown>;
  /** Loads state for the keys of a decoded run; undefined when nothing needs loading. Set only
   * when the task has stores on an asynchronous engine (LevelDB key-value stores). */
  readonly prefetch?: (keys: readonly unknown[], count: number) => Promise<void> | undefined;
  /** max.task.idle.ms (see PartitionGroup.readiness); default -1: never wait for an empty partition. */
  readonly maxTaskIdleMs?: number;
}


/**
 * Runs one sub-topology for one partition number (Kafka Streams' StreamTask). Fetched batches are
 * queued per input partition and processed synchronously in timestamp order across partitions:
 * the queue with the smallest head timestamp runs until its records pass the next queue's head.
 */
export class StreamTask implements TaskContext {
  readonly id: string;
  readonly applicationId: string;
  readonly partition: number;
  readonly collector: RecordCollector;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly deserializationHandler: DeserializationHandler;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  private readonly operators: Operator[] = [];
  private readonly sources: { op: SourceOperator; topics: Set<string>; pattern?: RegExp; recordAtATime: boolean }[] = [];
  private readonly group: PartitionGroup;
  private readonly streamPunctuations = new PunctuationQueue('STREAM_TIME');
  private readonly wallPunctuations = new PunctuationQueue('WALL_CLOCK_TIME');
  private time = -1;
  /** Operators' asynchronous steps (registerAsyncStep), awaited between runs and before commit. */
  private readonly asyncSteps: (() => Promise<void> | undefined)[] = [];
  private processedCounter: { value: number };
  /** Records processed only because max.task.idle.ms ran out for an empty input partition. */
  private enforcedCounter: { value: number };
  /** max.task.idle.ms >= 0: nextRun() reads the wall clock to decide whether to wait. */
  private readonly idles: boolean;

  constructor(private readonly opts: TaskOptions) {
    this.id = `${opts.subtopology.id}_${opts.partition}`;
    this.applicationId = opts.applicationId;
    this.partition = opts.partition;
    this.collector = opts.collector;
    this.metrics = opts.metrics;
    this.logger = opts.logger;
    this.defaultKeySerde = opts.defaultKeySerde;
    this.defaultValueSerde = opts.defaultValueSerde;
    this.deserializationHandler = opts.deserializationHandler;
    this.defaultTimestampExtractor = opts.defaultTimestampExtractor;
    this.processedCounter = opts.metrics.counter('process-total', { task: this.id });
    this.enforcedCounter = opts.metrics.counter('enforced-processing-total', { task: this.id });
    this.idles = (opts.maxTaskIdleMs ?? -1) >= 0;
    this.group = new PartitionGroup(opts.partition, (topic) => this.sourceFor(topic), opts.maxTaskIdleMs ?? -1);
    this.build();
    // Input partitions known by name exist from the start, so max.task.idle.ms waits for them
    // before their first record (pattern-subscribed ones count once they deliver one).
    for (const s of this.sources) {
      for (const topic of s.topics) if ((opts.partitionsFor(topic) ?? 0) > opts.partition) this.group.addPartition(topic);
    }
  }

  get taskId(): string {
    return this.id;
  }

  private build(): void {
    const { topology, subtopology } = this.opts;
    const members = new Set(subtopology.nodes.map((n) => n.name));
    const byName = new Map<string, Operator>();
    // Where batching would reorder records that Kafka Streams processes depth-first, a source's
    // runs enter one record at a time (see recordOrderSources).
    const recordOrder = recordOrderSources(subtopology.nodes, (store) => topology.store(store)?.caching !== false);
    for (const node of subtopology.nodes) {
      const op = createOperator(node);
      byName.set(node.name, op);
      this.operators.push(op);
      if (node.kind === 'source') {
        const topics = new Set(node.topics.map((t) => this.resolveTopic(t, node.internal)));
        const pattern = node.pattern && new RegExp(node.pattern.source, node.pattern.flags.replace(/[gy]/g, ''));
        this.sources.push({ op: op as SourceOperator, topics, pattern, recordAtATime: recordOrder.has(node.name) });
      }
    }
    for (const node of subtopology.nodes) {
      byName.get(node.name)!.children = topology.children(node.name).filter((c) => members.has(c)).map((c) => byName.get(c)!);
    }
    // Children before parents, so a processor may forward from init().
    for (let i = this.operators.length - 1; i >= 0; i--) this.operators[i].init(this);
  }

  // TaskContext

  streamTime(): number {
    return this.time;
  }

  advanceStreamTime(timestamp: number): void {
    if (timestamp > this.time) this.time = timestamp;
  }

  wallClockTime(): number {
    return this.opts.clock();
  }

  schedule(node: string, intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    if (!(intervalMs >= 1)) {
      throw new StreamwrightError('PROCESSING', `Processor "${node}" scheduled a punctuation every ${intervalMs} ms; the interval must be at least 1 ms.`, { node });
    }
    return type === 'STREAM_TIME'
      ? this.streamPunctuations.schedule(intervalMs, 0, callback)
      : this.wallPunctuations.schedule(intervalMs, this.opts.clock() + intervalMs, callback);
  }

  getStateStore(name: string): unknown {
    const store = this.opts.stores?.get(name);
    if (store === undefined) throw new StreamwrightError('STATE_STORE', `Task ${this.id} has no state store "${name}".`, { task: this.id, store: name });
    return store;
  }

  resolveTopic(name: string, internal: boolean): string {
    return internal ? `${this.applicationId}-${name}` : name;
  }

  partitionsFor(topic: string): number | undefined {
    return this.opts.partitionsFor(topic);
  }

  registerAsyncStep(step: () => Promise<void> | undefined): void {
    this.asyncSteps.push(step);
  }

  /** Runs the operators' asynchronous steps; undefined when none had anything to do. */
  runAsyncSteps(): Promise<void> | undefined {
    const steps = this.asyncSteps;
    for (let i = 0; i < steps.length; i++) {
      const p = steps[i]();
      if (p !== undefined) return p.then(() => this.runAsyncStepsFrom(i + 1));
    }
    return undefined;
  }

  private async runAsyncStepsFrom(first: number): Promise<void> {
    for (let i = first; i < this.asyncSteps.length; i++) await this.asyncSteps[i]();
  }

  // Processing

  /** Queues fetched records of one of this task's input partitions. */
  addRecords(fb: FetchBatch): void {
    this.group.add(fb);
  }

  /** Number of records queued and not yet processed. */
  buffered(): number {
    return this.group.buffered();
  }

  /** Processes up to `maxRecords` queued records; returns how many it took. Synchronous:
   * tasks whose stores need prefetching use processAsync(). */
  process(maxRecords = Number.POSITIVE_INFINITY): number {
    let processed = 0;
    for (let run = this.nextRun(maxRecords); run !== undefined; run = this.nextRun(maxRecords - processed)) {
      const { queue, fb, start, end } = run;
      // Stream-time punctuations fire after the record that reaches their time, as in Kafka Streams,
      // so a task that has any takes its records one at a time.
      const punctuations = this.streamPunctuations.size > 0 ? this.streamPunctuations : undefined;
      if (queue.recordAtATime || punctuations !== undefined) {
        for (let j = start; j < end; j++) {
          queue.source.ingest(fb, j, j + 1);
          punctuations?.mayPunctuate(this.time);
        }
      } else queue.source.ingest(fb, start, end);
      processed += this.finishRun(run);
    }
    this.processedCounter.value += processed;
    return processed;
  }

  /** True when processing must await: store prefetches (LevelDB key-value stores) or operators'
   * asynchronous steps (e.g. a suppress buffer reading spilled entries back). */
  get needsAsync(): boolean {
    return this.opts.prefetch !== undefined || this.asyncSteps.length > 0;
  }

  /**
   * Like process(), but before each run enters the sub-topology, loads the state its keys need
   * (one batched read per run), so processing itself stays synchronous.
   */
  async processAsync(maxRecords = Number.POSITIVE_INFINITY): Promise<number> {
    const prefetch = this.opts.prefetch;
    if (!this.needsAsync) return this.process(maxRecords);
    let processed = 0;
    for (let run = this.nextRun(maxRecords); run !== undefined; run = this.nextRun(maxRecords - processed)) {
      const { queue, fb, start, end } = run;
      const punctuations = this.streamPunctuations.size > 0 ? this.streamPunctuations : undefined;
      const step = queue.recordAtATime || punctuations !== undefined ? 1 : end - start;
      for (let j = start; j < end; j += step) {
        const stepping = this.runAsyncSteps();
        if (stepping !== undefined) await stepping;
        const decoded = queue.source.decode(fb, j, Math.min(end, j + step));
        const loading = prefetch?.(decoded.keys, decoded.length);
        if (loading !== undefined) await loading;
        queue.source.emitDecoded();
        punctuations?.mayPunctuate(this.time);
      }
      processed += this.finishRun(run);
    }
    const stepping = this.runAsyncSteps();
    if (stepping !== undefined) await stepping;
    this.processedCounter.value += processed;
    return processed;
  }

  /** The next run, or undefined when nothing is buffered or the task idles (max.task.idle.ms). */
  private nextRun(maxRecords: number): Run | undefined {
    return this.group.nextRun(maxRecords, this.idles ? this.opts.clock() : 0);
  }

  /** Advances past a processed run and fires due stream-time punctuations; returns its record count. */
  private finishRun(run: Run): number {
    const n = this.group.finishRun(run);
    if (run.enforced) this.enforcedCounter.value += n;
    this.streamPunctuations.mayPunctuate(this.time);
    return n;
  }

  /** Fires due wall-clock punctuations. */
  punctuateWallClock(now = this.opts.clock()): boolean {
    return this.wallPunctuations.mayPunctuate(now);
  }

  /** Offsets to commit: the next offset of every input partition that has made progress. */
  committableOffsets(): TopicPartitionOffset[] {
    return this.group.committableOffsets();
  }

  /** Drops queued records (after a failure, before re-reading from committed offsets). */
  clearBuffers(): void {
    this.group.clear();
  }

  close(): void {
    for (const op of this.operators) op.close();
    this.group.clear();
  }

  private sourceFor(topic: string): InputSource {
    for (const s of this.sources) if (s.topics.has(topic) || (s.pattern !== undefined && s.pattern.test(topic))) return { op: s.op, recordAtATime: s.recordAtATime };
    throw new StreamwrightError('TOPOLOGY_INVALID', `Task ${this.id} received records of topic "${topic}", which none of its sources reads.`, { task: this.id, topic });
  }
}
