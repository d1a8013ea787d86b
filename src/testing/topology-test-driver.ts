import type { FetchBatch } from '../backend/backend-types.js';
import type { Header } from '../graph/processor-types.js';
import type { Deserializer, Serializer } from '../graph/serde-types.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { GlobalStateManager } from '../runtime/global-state.js';
import { Metrics } from '../runtime/metrics.js';
import { resolveConfig, type StreamsConfig, type StreamsConfigInput } from '../runtime/streams-config.js';
import { StreamTask } from '../runtime/stream-task.js';
import { createTaskStores, storeContextFor } from '../runtime/task-stores.js';
import type { KeyValueStore, SessionStore, StoreLifecycle, WindowStore } from '../state/store-types.js';
import { TestInputTopic, type InputTopicOptions } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import type { RawRecord } from './test-record.js';

/**
 * Runs a topology in-process, synchronously, with a virtual wall clock (Kafka Streams'
 * TopologyTestDriver). Every piped record is processed, including through repartition topics,
 * before pipeInput() returns. Same operators and tasks as the real runtime, one partition.
 */
export class TopologyTestDriver {
  readonly config: StreamsConfig;
  private readonly tasks: StreamTask[] = [];
  private readonly outputs = new Map<string, RawRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly pending: FetchBatch[] = [];
  private readonly produced = new Set<string>();
  private readonly metricsRegistry = new Metrics();
  private wallClock: number;
  private lastCommit: number;
  private processing = false;
  private closed = false;
  private readonly stores = new Map<string, StoreLifecycle>();
  private storeFailure: unknown;
  /** Global tables: piping into their topics updates their stores synchronously. */
  private readonly globals: GlobalStateManager;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfigInput = {},
    initialWallClockTimeMs = 0,
    logger: Logger = silentLogger,
  ) {
    this.config = resolveConfig({ 'application.id': 'topology-test-driver', ...config });
    this.wallClock = initialWallClockTimeMs;
    this.lastCommit = initialWallClockTimeMs;
    const collector = { send: this.capture.bind(this) };
    this.globals = new GlobalStateManager({ topology, config: this.config, metrics: this.metricsRegistry, logger });
    for (const [name, store] of this.globals.stores) this.stores.set(name, store);
    for (const sub of topology.subtopologies) {
      // Every store runs in memory. The record cache is off unless the config sets
      // statestore.cache.max.bytes; then caches flush when the wall clock passes commit.interval.ms.
      const env = {
        applicationId: this.config.applicationId,
        taskId: `${sub.id}_0`,
        partition: 0,
        appStateDir: '',
        metrics: this.metricsRegistry,
        logger,
        collector,
        cacheMaxBytes: this.cacheMaxBytes(config),
        forceInMemory: true,
        defaultKeySerde: this.config.defaultKeySerde,
        defaultValueSerde: this.config.defaultValueSerde,
      };
      const stores = createTaskStores(topology, sub, env);
      for (const [name, store] of stores) {
        // In-memory stores are usable as soon as open() is called; a failure surfaces on the next pipe.
        store.open(storeContextFor(topology.store(name)!, env)).catch((err: unknown) => (this.storeFailure = err));
        this.stores.set(name, store);
      }
      this.tasks.push(
        new StreamTask({
          stores,
          applicationId: this.config.applicationId,
          topology,
          subtopology: sub,
          partition: 0,
          collector,
          metrics: this.metricsRegistry,
          logger,
          defaultKeySerde: this.config.defaultKeySerde,
          defaultValueSerde: this.config.defaultValueSerde,
          defaultTimestampExtractor: this.config.defaultTimestampExtractor,
          deserializationHandler: this.config.deserializationHandler,
          clock: () => this.wallClock,
          partitionsFor: () => 1,
        }),
      );
    }
    this.drain();
  }

  createInputTopic<K, V>(topic: string, keySerializer: Serializer<K>, valueSerializer: Serializer<V>, opts: InputTopicOptions = {}): TestInputTopic<K, V> {
    if (!this.taskFor(topic) && !this.globals.reads(topic)) {
      throw new StreamwrightError('TOPIC_NOT_FOUND', `No source of this topology reads topic "${topic}". Source topics: ${this.sourceTopicList()}.`, { topic });
    }
    return new TestInputTopic(topic, keySerializer, valueSerializer, this.pipe.bind(this), opts.startTimestampMs ?? this.wallClock, opts.autoAdvanceMs ?? 0);
  }

  createOutputTopic<K, V>(topic: string, keyDeserializer: Deserializer<K>, valueDeserializer: Deserializer<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, keyDeserializer, valueDeserializer, this.queueOf(topic));
  }

  /** Topics the topology has written to so far. */
  producedTopicNames(): string[] {
    return [...this.produced];
  }

  /** Advances the virtual wall clock, fires due wall-clock punctuations and, when a commit
   * interval has passed, flushes the record caches (as a commit would). */
  advanceWallClockTime(ms: number): void {
    this.wallClock += ms;
    for (const task of this.tasks) task.punctuateWallClock(this.wallClock);
    if (this.wallClock - this.lastCommit >= this.config.commitIntervalMs) {
      this.lastCommit = this.wallClock;
      for (const store of this.stores.values()) store.flush().catch((err: unknown) => (this.storeFailure = err));
    }
    this.drain();
  }

  private cacheMaxBytes(config: StreamsConfigInput): number {
    const explicit = config['statestore.cache.max.bytes'] ?? config['cache.max.bytes.buffering'];
    return explicit === undefined ? 0 : this.config.cacheMaxBytes;
  }

  metrics(): Metrics {
    return this.metricsRegistry;
  }

  /** A key-value store of the topology, for assertions (Kafka's getKeyValueStore). */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.store(name, 'keyValue') as KeyValueStore<K, V>;
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.store(name, 'window') as WindowStore<K, V>;
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> {
    return this.store(name, 'session') as SessionStore<K, V>;
  }

  private store(name: string, type: 'keyValue' | 'window' | 'session'): StoreLifecycle {
    const spec = this.topology.store(name);
    const store = this.stores.get(name);
    if (!spec || !store) throw new StreamwrightError('STATE_STORE', `No state store "${name}" in this topology. Stores: ${this.topology.stores.map((s) => s.name).join(', ') || 'none'}.`, { store: name });
    if (spec.type !== type) throw new StreamwrightError('STATE_STORE', `State store "${name}" is a ${spec.type} store, not a ${type} store.`, { store: name });
    return store;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.close();
    void this.globals.stop();
    for (const s of this.stores.values()) void s.close().catch(() => undefined);
  }

  private pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: readonly Header[] | undefined): void {
    if (this.closed) throw new StreamwrightError('APP_STATE', 'The TopologyTestDriver is closed.');
    if (this.storeFailure) throw this.storeFailure;
    if (this.globals.reads(topic)) return this.globals.process(this.fetchBatchOf(topic, key, value, timestamp, headers));
    this.pending.push(this.fetchBatchOf(topic, key, value, timestamp, headers));
    this.drain();
  }

  private capture(topic: string, _partition: number | undefined, key: Buffer | null, value: Buffer | null, timestamp: number, headers: readonly Header[] | undefined): void {
    this.produced.add(topic);
    this.queueOf(topic).push({ key, value, timestamp, headers });
    // Topics the topology also reads (repartition topics, or a user's loop through a topic) are fed back.
    if (this.taskFor(topic)) this.pending.push(this.fetchBatchOf(topic, key, value, timestamp, headers));
    else if (this.globals.reads(topic)) this.globals.process(this.fetchBatchOf(topic, key, value, timestamp, headers));
  }

  private drain(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let fb = this.pending.shift(); fb !== undefined; fb = this.pending.shift()) {
        const task = this.taskFor(fb.topic)!;
        task.addRecords(fb);
        task.process();
      }
    } catch (err) {
      // As in Kafka's TopologyTestDriver, the record that failed is consumed: without this it would
      // stay queued and every later pipeInput() would fail on it again.
      for (const t of this.tasks) t.clearBuffers();
      this.pending.length = 0;
      throw err;
    } finally {
      this.processing = false;
    }
  }

  private fetchBatchOf(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: readonly Header[] | undefined): FetchBatch {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    return { topic, partition: 0, size: 1, offsets: [offset], timestamps: [timestamp], keys: [key], values: [value], headers: [headers], highWatermark: offset + 1 };
  }

  private queueOf(topic: string): RawRecord[] {
    let q = this.outputs.get(topic);
    if (!q) this.outputs.set(topic, (q = []));
    return q;
  }

  private taskFor(topic: string): StreamTask | undefined {
    const app = this.config.applicationId;
    for (let i = 0; i < this.topology.subtopologies.length; i++) {
      const sub = this.topology.subtopologies[i];
      if (sub.sourceTopics.includes(topic)) return this.tasks[i];
      if (sub.internalSourceTopics.some((t) => `${app}-${t}` === topic)) return this.tasks[i];
      if (sub.sourcePatterns.some((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, '')).test(topic))) return this.tasks[i];
    }
    return undefined;
  }

  private sourceTopicList(): string {
    const names = this.topology.subtopologies.flatMap((s) => [...s.sourceTopics, ...s.sourcePatterns.map((p) => `/${p.source}/`)]);
    return names.length > 0 ? names.join(', ') : 'none';
  }
}
