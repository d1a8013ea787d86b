/**
 * Global state stores (Kafka Streams' GlobalStateManager + GlobalStreamThread): the stores of
 * builder.globalTable(), replicated on every instance from all partitions of their source topics.
 *
 * - The stores are in memory and not logged: the source topic is their changelog. start() reads
 *   every partition from its log start to the end offsets it saw at start (a changelog-free
 *   restore), before the app's stream thread processes anything, then keeps reading in a
 *   background loop so the stores follow the topic while the app runs. Null values delete.
 * - Records go through the global sub-topology's own source and KTABLE-SOURCE processor (a task
 *   that is never assigned), so deserialization errors follow the app's handler.
 * - Join operators find the stores through globalStoreOf(ctx, name): the stores are registered
 *   under the app instance's Metrics registry, the one object every task context of an instance
 *   shares and no other instance has.
 */
import type { Backend, FetchBatch, LogConsumer, TopicPartition, TopicPartitionOffset } from '../backend/backend-types.js';
import { globalSubtopologies, type Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { KeyValueStore, StoreLifecycle } from '../state/store-types.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { StreamTask } from './stream-task.js';
import type { StreamsConfig } from './streams-config.js';
import type { TaskContext } from './task-context.js';
import { createTaskStores, storeContextFor, type TaskStoreEnv } from './task-stores.js';

const registry = new WeakMap<Metrics, Map<string, StoreLifecycle>>();

/** How long start() waits for a global topic partition that makes no progress toward its end offset. */
const GLOBAL_RESTORE_IDLE_MS = 5_000;

/** The global store `name` of the instance this task belongs to. */
export function globalStoreOf(ctx: TaskContext, name: string, node: string): KeyValueStore<unknown, unknown> {
  const store = registry.get(ctx.metrics)?.get(name);
  if (store === undefined) {
    throw new StreamwrightError(
      'STATE_STORE',
      `Processor "${node}" joins the global store "${name}", which this app instance has not restored. Create the GlobalKTable with builder.globalTable() in the same topology, and run it with StreamsApp or TopologyTestDriver.`,
      { node, store: name },
    );
  }
  return store as KeyValueStore<unknown, unknown>;
}

const noSinks = {
  send(topic: string): void {
    throw new StreamwrightError('TOPOLOGY_INVALID', `A global sub-topology tried to write to topic "${topic}"; global tables only read their topic.`, { topic });
  },
};

interface GlobalPart {
  readonly sub: Subtopology;
  readonly task: StreamTask;
  readonly topics: readonly string[];
}

export interface GlobalStateOptions {
  readonly topology: Topology;
  readonly config: StreamsConfig;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Called when the background reader fails (the app should then stop). */
  readonly onFatal?: (err: Error) => void;
}

export class GlobalStateManager {
  private readonly parts: GlobalPart[] = [];
  private readonly byTopic = new Map<string, StreamTask>();
  readonly stores = new Map<string, StoreLifecycle>();
  private consumer: LogConsumer | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private closed = false;

  constructor(private readonly opts: GlobalStateOptions) {
    const { topology, config, metrics, logger } = opts;
    for (const sub of globalSubtopologies(topology.nodes)) {
      const env: TaskStoreEnv = {
        applicationId: config.applicationId,
        taskId: `${sub.id}_global`,
        partition: -1,
        appStateDir: '',
        metrics,
        logger,
        collector: noSinks,
        cacheMaxBytes: 0,
        forceInMemory: true,
        defaultKeySerde: config.defaultKeySerde,
        defaultValueSerde: config.defaultValueSerde,
      };
      const stores = createTaskStores(topology, sub, env);
      for (const [name, store] of stores) {
        this.stores.set(name, store);
        void store.open(storeContextFor(topology.store(name)!, env)).catch((err: unknown) => logger.error(`Opening global store "${name}" failed: ${(err as Error).message}`));
      }
      const task = new StreamTask({
        applicationId: config.applicationId,
        topology,
        subtopology: sub,
        partition: 0,
        collector: noSinks,
        metrics,
        logger,
        defaultKeySerde: config.defaultKeySerde,
        defaultValueSerde: config.defaultValueSerde,
        defaultTimestampExtractor: config.defaultTimestampExtractor,
        deserializationHandler: config.deserializationHandler,
        clock: Date.now,
        partitionsFor: () => undefined,
        stores,
      });
      this.parts.push({ sub, task, topics: sub.sourceTopics });
      for (const t of sub.sourceTopics) this.byTopic.set(t, task);
    }
    if (this.stores.size > 0) registry.set(metrics, this.stores);
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** Source topics of the global tables. */
  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  reads(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  /** Applies fetched records of a global topic to its store, synchronously. */
  process(fb: FetchBatch): void {
    const task = this.byTopic.get(fb.topic);
    if (task === undefined) throw new StreamwrightError('APP_STATE', `No global table reads topic "${fb.topic}".`, { topic: fb.topic });
    task.addRecords(fb);
    try {
      task.process();
    } catch (err) {
      task.clearBuffers();
      throw err;
    }
  }

  /**
   * Restores every global store to the end offsets of its topic, then keeps reading in the
   * background until stop(). Resolves once restored.
   */
  async start(backend: Backend): Promise<void> {
    if (this.empty) return;
    const { config, logger } = this.opts;
    const admin = backend.admin();
    const ends = new Map<string, { readonly tp: TopicPartition; readonly end: number; position: number }>();
    const assignment: TopicPartitionOffset[] = [];
    try {
      const existing = new Set(await admin.listTopics());
      for (const topic of this.byTopic.keys()) {
        if (!existing.has(topic)) {
          throw new StreamwrightError('TOPIC_NOT_FOUND', `Global table topic "${topic}" does not exist. Create it first, e.g. \`streamwright topics create ${topic} --partitions 1\`.`, { topic });
        }
        for (const p of await admin.listOffsets(topic)) {
          assignment.push({ topic, partition: p.partition, offset: p.earliest });
          if (p.latest > p.earliest) ends.set(`${topic}\u0000${p.partition}`, { tp: { topic, partition: p.partition }, end: p.latest, position: p.earliest });
        }
      }
    } finally {
      await admin.close();
    }
    this.consumer = backend.consumer({
      clientId: `${config.clientId}-global-consumer`,
      isolationLevel: config.processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted',
    });
    await this.consumer.assign(assignment);
    const started = Date.now();
    let restored = 0;
    let idleSince = started;
    // Read until every partition's position (past markers and aborted records too) reached the end
    // offset it had at start, as Kafka Streams' global restore does. Without progress for
    // GLOBAL_RESTORE_IDLE_MS (an open transaction at the end under read_committed) stop waiting.
    while (ends.size > 0) {
      const batches = await this.consumer.poll({ maxRecords: config.maxPollRecords, maxWaitMs: Math.max(config.pollMs, 50) });
      for (const fb of batches) {
        this.process(fb);
        restored += fb.size;
      }
      for (const [k, e] of ends) {
        const position = this.consumer.position(e.tp);
        if (position > e.position) {
          e.position = position;
          idleSince = Date.now();
        }
        if (position >= e.end) ends.delete(k);
      }
      if (ends.size > 0 && Date.now() - idleSince >= GLOBAL_RESTORE_IDLE_MS) {
        const left = [...ends.values()].map((e) => `${e.tp.topic}-${e.tp.partition} at ${e.position} of ${e.end}`).join(', ');
        logger.warn(`Global store restore stopped waiting after ${GLOBAL_RESTORE_IDLE_MS} ms without progress (${left}); the rest is read while the app runs.`, { partitions: [...ends.values()].map((e) => e.tp) });
        break;
      }
    }
    logger.info(`Restored global stores ${[...this.stores.keys()].join(', ')} from ${[...this.byTopic.keys()].join(', ')}: ${restored} records in ${Date.now() - started} ms.`);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { config } = this.opts;
    try {
      while (!this.stopping) {
        const batches = await this.consumer!.poll({ maxRecords: config.maxPollRecords, maxWaitMs: config.pollMs });
        for (const fb of batches) if (!this.stopping) this.process(fb);
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.opts.logger.error(`The global store reader failed: ${error.message}`);
      this.opts.onFatal?.(error);
    }
  }

  /** Stops the background reader and closes the stores. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopping = true;
    await this.loop;
    await this.consumer?.close().catch((e: unknown) => this.opts.logger.warn(`Closing the global consumer failed: ${String(e)}`));
    for (const p of this.parts) p.task.close();
    for (const s of this.stores.values()) await s.close().catch(() => undefined);
    if (registry.get(this.opts.metrics) === this.stores) registry.delete(this.opts.metrics);
  }
}
