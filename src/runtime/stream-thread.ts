import type { Backend, FetchBatch, LogConsumer, TopicPartition } from '../backend/backend-types.js';
import type { Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { RestoreProgress } from '../state/changelog-restorer.js';
import { CommitCoordinator } from './commit-coordinator.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { StreamsConfig } from './streams-config.js';
import type { StreamTask } from './stream-task.js';
import { createActiveTask } from './task-factory.js';
import type { TopicPlan } from './topic-setup.js';

export interface ThreadHooks {
  onRebalanceStart(): void;
  onRunning(): void;
  onFatal(error: Error): void;
  onTasksChanged(tasks: ReadonlyMap<string, StreamTask>): void;
  onRestoreProgress?(progress: RestoreProgress & { readonly taskId: string }): void;
  /** The group told every member to shut down (SHUTDOWN_APPLICATION); the thread has stopped and closed. */
  onGroupShutdown?(): void;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** What an instance's group consumer subscribes to: the source topics, plus the source patterns as one regexp. */
export function threadSubscription(topology: Topology, plan: TopicPlan): readonly string[] | RegExp {
  const patterns = topology.subtopologies.flatMap((s) => s.sourcePatterns);
  if (patterns.length === 0) return plan.sourceTopics;
  return new RegExp([...plan.sourceTopics.map((t) => `^${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), ...patterns.map((p) => p.source)].join('|'));
}

/**
 * The processing loop of one app instance (Kafka Streams' StreamThread): poll, hand batches to
 * tasks, process them synchronously, send outputs, and commit every commit.interval.ms through
 * the CommitCoordinator.
 */
export class StreamThread {
  private readonly tasks = new Map<string, StreamTask>();
  private readonly byPartition = new Map<string, StreamTask>();
  private consumer!: LogConsumer;
  private commits!: CommitCoordinator;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private lastCommit = Date.now();
  /** A revocation ran and no assignment has followed yet (see runOnce). */
  private revokedSinceAssign = false;
  /** The group asked every member to shut down (RebalanceListener.onGroupShutdown). */
  private groupShutdown = false;
  private readonly subOfTopic: (topic: string) => Subtopology | undefined;

  constructor(
    private readonly id: number,
    private readonly topology: Topology,
    private readonly config: StreamsConfig,
    private readonly backend: Backend,
    private readonly plan: TopicPlan,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly hooks: ThreadHooks,
  ) {
    const app = config.applicationId;
    const cache = new Map<string, Subtopology | undefined>();
    this.subOfTopic = (topic) => {
      if (!cache.has(topic)) {
        cache.set(
          topic,
          topology.subtopologies.find(
            (s) =>
              s.sourceTopics.includes(topic) ||
              s.internalSourceTopics.some((t) => `${app}-${t}` === topic) ||
              s.sourcePatterns.some((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, '')).test(topic)),
          ),
        );
      }
      return cache.get(topic);
    };
  }

  async start(): Promise<void> {
    const { config } = this;
    const eos = config.processingGuarantee === 'exactly_once_v2';
    this.consumer = this.backend.consumer({
      groupId: config.applicationId,
      clientId: `${config.clientId}-StreamThread-${this.id}-consumer`,
      isolationLevel: eos ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: config.autoOffsetReset,
    });
    this.commits = new CommitCoordinator(config, this.backend, this.consumer, this.logger, this.id);
    await this.consumer.subscribe(threadSubscription(this.topology, this.plan), {
      onPartitionsRevoked: (tps) => this.onRevoked(tps),
      onPartitionsAssigned: (tps) => this.onAssigned(tps),
      onGroupShutdown: () => {
        // Every task was revoked (and committed) just before this: stop after the current poll.
        this.groupShutdown = true;
        this.stopping = true;
      },
    });
    this.loop = this.run();
  }

  /** Stops after the current iteration, commits and closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  /** Resolves when the loop ends (after stop() or a fatal error). */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  taskMap(): ReadonlyMap<string, StreamTask> {
    return this.tasks;
  }

  /** The state manager of a running task (interactive queries). */
  stateOf(taskId: string) {
    return this.commits?.stateOf(taskId);
  }

  private async run(): Promise<void> {
    let failure: Error | undefined;
    try {
      while (!this.stopping) await this.runOnce();
      await this.commitAll();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      await this.commits.abortAll();
    }
    await this.commits.close(failure === undefined);
    this.tasks.clear();
    this.byPartition.clear();
    await this.consumer.close().catch((e) => this.logger.warn(`Closing the consumer failed: ${e}`));
    if (failure) this.hooks.onFatal(failure);
    else if (this.groupShutdown) this.hooks.onGroupShutdown?.();
  }

  private async runOnce(): Promise<void> {
    const batches = await this.consumer.poll({ maxRecords: this.config.maxPollRecords, maxWaitMs: this.config.pollMs });
    // Rebalance callbacks run inside poll(). A member that only lost some partitions (the embedded
    // log's incremental hand-over) gets no onPartitionsAssigned: once poll() returns with tasks
    // still owned, that rebalance is over, so the app is RUNNING again (as Kafka Streams is after
    // a rebalance that only revoked). An eager revoke of everything waits for the assignment.
    if (this.revokedSinceAssign && this.tasks.size > 0) {
      this.revokedSinceAssign = false;
      this.hooks.onRunning();
    }
    this.route(batches);
    for (const task of this.tasks.values()) {
      if (task.needsAsync) await task.processAsync();
      else task.process();
    }
    const now = Date.now();
    for (const task of this.tasks.values()) task.punctuateWallClock(now);
    await this.commits.sendPending();
    if (now - this.lastCommit >= this.config.commitIntervalMs) await this.commitAll();
  }

  private route(batches: readonly FetchBatch[]): void {
    for (const fb of batches) {
      const task = this.byPartition.get(key(fb.topic, fb.partition));
      if (!task) {
        throw new StreamwrightError('APP_STATE', `Fetched records of ${fb.topic}-${fb.partition}, which no task of this instance owns.`, { topic: fb.topic, partition: fb.partition });
      }
      task.addRecords(fb);
    }
  }

  private async commitAll(): Promise<void> {
    await this.commits.commit();
    this.lastCommit = Date.now();
  }

  private async onRevoked(tps: readonly TopicPartition[]): Promise<void> {
    this.hooks.onRebalanceStart();
    this.revokedSinceAssign = true;
    const affected = new Set<StreamTask>();
    for (const tp of tps) {
      const t = this.byPartition.get(key(tp.topic, tp.partition));
      if (t) affected.add(t);
    }
    if (affected.size === 0) return;
    // Process what was fetched for these tasks, then commit before giving them up.
    for (const t of affected) {
      if (t.needsAsync) await t.processAsync();
      else t.process();
    }
    await this.commitAll();
    for (const t of affected) {
      this.tasks.delete(t.id);
      await this.commits.removeTask(t.id, true);
    }
    for (const [k, t] of [...this.byPartition]) if (affected.has(t)) this.byPartition.delete(k);
    this.hooks.onTasksChanged(this.tasks);
  }

  private async onAssigned(tps: readonly TopicPartition[]): Promise<void> {
    for (const tp of tps) {
      const sub = this.subOfTopic(tp.topic);
      if (!sub) throw new StreamwrightError('APP_STATE', `Assigned ${tp.topic}-${tp.partition}, which no sub-topology reads.`, { topic: tp.topic });
      const id = `${sub.id}_${tp.partition}`;
      let task = this.tasks.get(id);
      if (!task) {
        const collector = this.commits.newCollector();
        const created = await createActiveTask(
          {
            topology: this.topology,
            config: this.config,
            backend: this.backend,
            collector,
            metrics: this.metrics,
            logger: this.logger,
            partitionsFor: (topic) => this.plan.partitions.get(topic),
            onRestoreProgress: this.hooks.onRestoreProgress,
          },
          sub,
          tp.partition,
        );
        task = created.task;
        this.tasks.set(id, task);
        this.commits.addTask(task, created.state, collector);
      }
      this.byPartition.set(key(tp.topic, tp.partition), task);
    }
    this.revokedSinceAssign = false;
    this.hooks.onTasksChanged(this.tasks);
    this.hooks.onRunning();
  }
}
