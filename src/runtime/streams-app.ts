import type { Backend, LogConsumer } from '../backend/backend-types.js';
import type { Serializer } from '../graph/serde-types.js';
import type { Topology } from '../graph/topology.js';
import type { TopologyDescription } from '../graph/topology-description.js';
import { isStreamwrightError, StreamwrightError } from '../errors/streamwright-error.js';
import { canTransition, type AppState, type StateListener, type UncaughtExceptionHandler } from './app-state.js';
import { acquireBackend, type BackendLease } from './backend-resolver.js';
import { consoleLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { StreamThread, threadSubscription } from './stream-thread.js';
import { groupShutdownError, requestApplicationShutdown } from './application-shutdown.js';
import type { StreamTask } from './stream-task.js';
import { resolveConfig, type StreamsConfig, type StreamsConfigInput } from './streams-config.js';
import { checkSerdes } from './serde-check.js';
import { setupTopics, type TopicPlan } from './topic-setup.js';
import { advertisingBackend, QueryMetadataResolver, type KeyQueryMetadata, type StreamsMetadata } from './query-metadata.js';
import { GlobalStateManager } from './global-state.js';
import { foreignKeyTopicPartitions, hasForeignKeyTopics, withInternalTopicPartitions } from './foreign-key-topic-setup.js';
import { queryableStore } from './interactive-queries.js';
import type { RestoreProgress } from '../state/changelog-restorer.js';
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StoreLifecycle } from '../state/store-types.js';

/** How long a SHUTDOWN_APPLICATION request waits for the group to confirm it and for the other instances to leave. */
const SHUTDOWN_REQUEST_TIMEOUT_MS = 60_000;

/** Restore progress of one store of one task. */
export type RestoreListener = (progress: RestoreProgress & { readonly taskId: string }) => void;

export interface StreamsAppOptions {
  /** Run on this backend instead of the one the config selects (several apps can share one). */
  readonly backend?: Backend;
  readonly logger?: Logger;
}

/**
 * A running instance of a topology (Kafka Streams' KafkaStreams). Many apps can run side by side
 * in one process, each started, stopped and described on its own; apps with the same
 * application.id share work as members of one consumer group.
 */
export class StreamsApp {
  readonly config: StreamsConfig;
  private current: AppState = 'CREATED';
  private readonly listeners: StateListener[] = [];
  private readonly restoreListeners: RestoreListener[] = [];
  private handler: UncaughtExceptionHandler | undefined;
  private readonly metricsRegistry = new Metrics();
  private readonly logger: Logger;
  private lease: BackendLease | undefined;
  private thread: StreamThread | undefined;
  /** Global tables: restored before the stream thread starts, updated while the app runs. */
  private globals: GlobalStateManager | undefined;
  /** The topology setupTopics() sizes internal topics from (foreign-key join topics fixed). */
  private topicTopology: Topology | undefined;
  private threadSeq = 0;
  private closing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private tasks: ReadonlyMap<string, StreamTask> = new Map();
  private readonly runningWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Interactive-query metadata: topic sizes and the stream thread's group consumer. */
  private plan: TopicPlan | undefined;
  private groupConsumer: LogConsumer | undefined;
  private readonly queryMeta: QueryMetadataResolver;
  /** A SHUTDOWN_APPLICATION request in flight (close() waits for it to stop). */
  private shutdownRequest: Promise<boolean> | undefined;

  constructor(
    readonly topology: Topology,
    config: StreamsConfigInput,
    private readonly options: StreamsAppOptions = {},
  ) {
    this.config = resolveConfig(config);
    this.logger = options.logger ?? consoleLogger(this.config.logLevel, this.config.applicationId);
    this.queryMeta = new QueryMetadataResolver({ topology, config: this.config, state: () => this.current, plan: () => this.plan, groupMetadata: () => this.groupConsumer?.groupMetadata?.() });
  }

  get state(): AppState {
    return this.current;
  }

  /** Called on every state change with (newState, oldState). */
  onStateChange(listener: StateListener): this {
    this.listeners.push(listener);
    return this;
  }

  /**
   * Called while a task restores a store from its changelog (Kafka Streams' StateRestoreListener):
   * after each restored batch with records done so far, and once with `done` when the store is
   * restored. `total` is the changelog range to replay (endOffset - startOffset); with a usable
   * checkpoint only the tail after it is replayed.
   */
  onRestoreProgress(listener: RestoreListener): this {
    this.restoreListeners.push(listener);
    return this;
  }

  /** Decides what happens when processing fails: replace the thread (resume from the last
   * commit), shut this instance down (the default, as in Kafka Streams) or shut every instance of
   * the application down (SHUTDOWN_APPLICATION: all members of the group go to ERROR). */
  setUncaughtExceptionHandler(handler: UncaughtExceptionHandler): this {
    this.handler = handler;
    return this;
  }

  /** Validates topics, creates internal topics, joins the group and starts processing. */
  async start(): Promise<void> {
    if (this.current !== 'CREATED') {
      throw new StreamwrightError('APP_STATE', `start() can only be called once, on a CREATED app; this one is ${this.current}. Create a new StreamsApp to run again.`, { state: this.current });
    }
    checkSerdes(this.topology, this.config);
    this.transition('REBALANCING');
    this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    try {
      this.lease = this.options.backend ? { backend: this.options.backend, release: async () => undefined } : await acquireBackend(this.config);
      await this.startGlobals();
      await this.startThread();
    } catch (err) {
      this.transition('PENDING_ERROR');
      this.transition('ERROR');
      await this.globals?.stop();
      await this.lease?.release();
      this.lease = undefined;
      throw err;
    }
  }

  /** Resolves once the app is RUNNING (has its partitions); rejects if it fails first. */
  waitUntilRunning(timeoutMs = 30_000): Promise<void> {
    if (this.current === 'RUNNING') return Promise.resolve();
    if (this.current === 'ERROR' || this.current === 'NOT_RUNNING') return Promise.reject(new StreamwrightError('APP_STATE', `The app is ${this.current}.`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new StreamwrightError('APP_STATE', `The app did not reach RUNNING within ${timeoutMs} ms (state ${this.current}).`)), timeoutMs);
      this.runningWaiters.push({ resolve: () => (clearTimeout(timer), resolve()), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  /** Commits, closes tasks and leaves the group. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  describe(): TopologyDescription {
    return this.topology.describe();
  }

  metrics(): Metrics {
    return this.metricsRegistry;
  }

  /**
   * A read-only view of a state store across this instance's tasks, for interactive queries
   * (Kafka Streams' KafkaStreams.store()). Use the store name given in Materialized, or the
   * KTable's queryableStoreName.
   */
  store<S = ReadOnlyKeyValueStore<unknown, unknown> | ReadOnlyWindowStore<unknown, unknown> | ReadOnlySessionStore<unknown, unknown>>(name: string): S {
    return queryableStore(this.topology, name, () => {
      // A global store is complete once start() resolved (restored before processing), on every instance.
      const global = this.globals?.stores.get(name);
      if (global !== undefined) return [global];
      const thread = this.thread;
      if (!thread || this.current !== 'RUNNING') {
        throw new StreamwrightError('APP_STATE', `State store "${name}" can be queried only while the app is RUNNING (it is ${this.current}); wait for waitUntilRunning().`, { store: name, state: this.current });
      }
      const found: StoreLifecycle[] = [];
      for (const id of thread.taskMap().keys()) {
        const s = thread.stateOf(id)?.store(name);
        if (s) found.push(s);
      }
      return found;
    }) as S;
  }

  /** Interactive-query routing, as in Kafka Streams (docs/interactive-queries.md): the instance
   * (`application.server`), partition and task of `key` in a store; the instances hosting a store;
   * every instance of this application. */
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer?: Serializer<K>): KeyQueryMetadata {
    return this.queryMeta.forKey(storeName, key, keySerializer);
  }
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    return this.queryMeta.forStore(storeName);
  }
  metadataForAllStreamsClients(): StreamsMetadata[] {
    return this.queryMeta.allClients();
  }

  /** Ids of the tasks this instance runs now, e.g. ["0_0", "0_1"]. */
  activeTasks(): string[] {
    return [...this.tasks.keys()].sort();
  }

  private async startThread(): Promise<void> {
    const backend = this.lease!.backend;
    const plan = await setupTopics(this.topicTopology ?? this.topology, backend.admin(), this.config.applicationId, { replicationFactor: this.config.replicationFactor, logger: this.logger });
    if (this.closing) return; // close() was called meanwhile: start no thread it would not stop
    this.plan = plan;
    const advertised = advertisingBackend(backend, this.config, (c) => (this.groupConsumer = c));
    const thread = new StreamThread(this.threadSeq++, this.topology, this.config, advertised, plan, this.metricsRegistry, this.logger, {
      onRebalanceStart: () => {
        if (this.current === 'RUNNING') this.transition('REBALANCING');
      },
      onRunning: () => {
        if (this.current === 'REBALANCING') this.transition('RUNNING');
      },
      onTasksChanged: (tasks) => (this.tasks = tasks),
      onRestoreProgress: (p) => {
        for (const l of this.restoreListeners) {
          try {
            l(p);
          } catch (err) {
            this.logger.warn(`A restore listener threw: ${(err as Error).message}`);
          }
        }
      },
      onFatal: (err) => void this.onThreadFailure(err),
      onGroupShutdown: () => void this.onGroupShutdown(),
    });
    this.thread = thread;
    await thread.start();
  }

  /** Foreign-key join topic sizes first (the side that reads them), then the global stores,
   * restored to the end of their topics before any stream processing. */
  private async startGlobals(): Promise<void> {
    const backend = this.lease!.backend;
    if (hasForeignKeyTopics(this.topology)) {
      const admin = backend.admin();
      try {
        this.topicTopology = withInternalTopicPartitions(this.topology, await foreignKeyTopicPartitions(this.topology, admin, this.config.applicationId, this.logger));
      } finally {
        await admin.close();
      }
    }
    this.globals = new GlobalStateManager({ topology: this.topology, config: this.config, metrics: this.metricsRegistry, logger: this.logger, onFatal: (err) => void this.onGlobalFailure(err) });
    await this.globals.start(backend);
  }

  /** A failed global store reader cannot be replaced: the instance stops in ERROR (as in Kafka Streams). */
  private async onGlobalFailure(error: Error): Promise<void> {
    if (this.closing || this.current === 'ERROR') return;
    this.logger.error(`Global store reader failed: ${error.message}. The app stops.`, { code: (error as StreamwrightError).code });
    const thread = this.thread;
    this.thread = undefined;
    await thread?.stop();
    if ((this.current as AppState) === 'ERROR') return;
    await this.closeToError(error);
  }

  private async onThreadFailure(error: Error): Promise<void> {
    this.thread = undefined;
    if (this.closing) return;
    // A fenced producer means another instance owns the task now (Kafka Streams' TaskMigratedException):
    // not a processing failure, so the thread rejoins the group instead of asking the handler.
    const migrated = isStreamwrightError(error, 'TRANSACTION_FENCED');
    const response = migrated ? 'REPLACE_THREAD' : this.handler ? this.handler(error) : 'SHUTDOWN_CLIENT';
    if (migrated) this.logger.warn(`A task was fenced by a newer owner (${error.message}); its uncommitted work was aborted and this instance rejoins the group.`);
    else this.logger.error(`Processing failed: ${error.message}. Response: ${response}.`, { code: (error as StreamwrightError).code });
    if (this.closing) return; // the handler closed the app: close() finishes the shutdown
    if (response === 'SHUTDOWN_APPLICATION') {
      // Kafka Streams adds a thread to carry the request when the failed one was the last: a
      // short-lived member of the group asks every member to shut down, this instance included.
      const { applicationId, clientId } = this.config;
      const subscription = threadSubscription(this.topology, this.plan!);
      const cancelled = () => this.closing !== undefined;
      this.shutdownRequest = requestApplicationShutdown(this.lease!.backend, { groupId: applicationId, clientId: `${clientId}-shutdown-request`, subscription, timeoutMs: SHUTDOWN_REQUEST_TIMEOUT_MS, logger: this.logger, cancelled });
      await this.shutdownRequest;
      if (this.closing) return;
    }
    if (response === 'REPLACE_THREAD') {
      try {
        if (this.current === 'RUNNING') this.transition('REBALANCING');
        this.starting = this.startThread();
        await this.starting;
        return;
      } catch (err) {
        this.logger.error(`Replacing the stream thread failed: ${(err as Error).message}`);
      }
    }
    await this.closeToError(error);
  }

  /** Another instance (or this one) asked every instance of the application to shut down. */
  private async onGroupShutdown(): Promise<void> {
    this.thread = undefined;
    if (this.closing || this.current === 'ERROR') return;
    const error = groupShutdownError(this.config.applicationId);
    this.logger.error(error.message);
    await this.closeToError(error);
  }

  /** PENDING_ERROR -> ERROR: rejects waitUntilRunning(), stops the global stores, releases the backend. */
  private async closeToError(error: Error): Promise<void> {
    this.transition('PENDING_ERROR');
    this.transition('ERROR');
    for (const w of this.runningWaiters.splice(0)) w.reject(error);
    await this.globals?.stop();
    await this.lease?.release();
    this.lease = undefined;
  }

  private async doClose(): Promise<void> {
    if (this.current === 'NOT_RUNNING') return;
    this.transition('PENDING_SHUTDOWN');
    await this.shutdownRequest;
    // A start() still in flight would otherwise start a thread (and hold the log) after this close.
    await this.starting?.catch(() => undefined);
    await this.thread?.stop();
    this.thread = undefined;
    await this.globals?.stop();
    this.globals = undefined;
    await this.lease?.release();
    this.lease = undefined;
    this.tasks = new Map();
    this.transition('NOT_RUNNING');
    for (const w of this.runningWaiters.splice(0)) w.reject(new StreamwrightError('APP_STATE', 'The app was closed before it reached RUNNING.'));
  }

  private transition(next: AppState): void {
    const prev = this.current;
    if (prev === next && next !== 'REBALANCING') return;
    if (!canTransition(prev, next)) return;
    this.current = next;
    if (next === 'RUNNING') for (const w of this.runningWaiters.splice(0)) w.resolve();
    for (const l of this.listeners) {
      try {
        l(next, prev);
      } catch (err) {
        this.logger.warn(`A state listener threw: ${(err as Error).message}`);
      }
    }
  }
}
