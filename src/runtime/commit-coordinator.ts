import type { Backend, LogConsumer, PartitionAppend, ProducerRecord, TopicPartitionOffset } from '../backend/backend-types.js';
import type { TaskStateManager } from '../state/task-state-manager.js';
import { BufferingCollector } from './buffering-collector.js';
import { AtLeastOnceCommitter, ExactlyOnceCommitter, type Committer } from './committer.js';
import type { Logger } from './logger.js';
import type { StreamTask } from './stream-task.js';
import type { StreamsConfig } from './streams-config.js';

interface TaskEntry {
  readonly task: StreamTask;
  readonly state: TaskStateManager | undefined;
  readonly collector: BufferingCollector;
  /** exactly_once_v2: the task's own transactional producer. */
  readonly committer: Committer | undefined;
  /** Next offset per changelog partition this task's sends reached. */
  readonly changelogEnds: Map<string, TopicPartitionOffset>;
}

/**
 * Owns the commit unit of a thread's tasks. at_least_once: one producer for all tasks; outputs
 * and changelog records are acknowledged, then all input offsets committed, then checkpoints
 * written. exactly_once_v2: one transactional producer per task with transactional.id
 * `<application.id>-<taskId>` (the EOS-v1 pattern, since kafkajs lacks KIP-447), so an instance
 * that takes a task over fences the previous owner; each task's outputs, changelog records and
 * input offsets commit in one transaction.
 */
export class CommitCoordinator {
  private readonly entries = new Map<string, TaskEntry>();
  private readonly shared: AtLeastOnceCommitter | undefined;
  private readonly eos: boolean;

  constructor(
    private readonly config: StreamsConfig,
    private readonly backend: Backend,
    consumer: LogConsumer,
    private readonly logger: Logger,
    threadId: number,
  ) {
    this.eos = config.processingGuarantee === 'exactly_once_v2';
    if (!this.eos) {
      const producer = backend.producer({ clientId: `${config.clientId}-StreamThread-${threadId}-producer` });
      this.shared = new AtLeastOnceCommitter(producer, consumer, (e) =>
        logger.warn(`Offset commit skipped, a rebalance moved the partitions (their new owner repeats the work since the last commit): ${e.message}`),
      );
    }
  }

  /** A collector for a task about to be created (its sinks and changelogs write into it). */
  newCollector(): BufferingCollector {
    return new BufferingCollector();
  }

  addTask(task: StreamTask, state: TaskStateManager | undefined, collector: BufferingCollector): void {
    const committer = this.eos
      ? new ExactlyOnceCommitter(
          this.backend.producer({ clientId: `${this.config.clientId}-${task.id}-producer`, transactionalId: `${this.config.applicationId}-${task.id}` }),
          this.config.applicationId,
        )
      : undefined;
    this.entries.set(task.id, { task, state, collector, committer, changelogEnds: new Map() });
  }

  /** Sends what tasks produced since the last send (inside each task's transaction under EOS). */
  async sendPending(): Promise<void> {
    if (this.shared) {
      let records: ProducerRecord[] | undefined;
      for (const e of this.entries.values()) {
        if (e.collector.size === 0) continue;
        const drained = e.collector.drain();
        records = records === undefined ? drained : records.concat(drained);
      }
      if (records !== undefined) this.noteAppends(await this.shared.send(records));
      return;
    }
    for (const e of this.entries.values()) if (e.collector.size > 0) this.noteAppends(await e.committer!.send(e.collector.drain()), e);
  }

  /** The commit unit for every task: flush stores, send, commit offsets, checkpoint. */
  async commit(): Promise<void> {
    for (const e of this.entries.values()) {
      // Operators' pending asynchronous work (e.g. spilled suppression entries due) first, so what it
      // emits and writes goes out with this commit.
      const stepping = e.task.runAsyncSteps();
      if (stepping !== undefined) await stepping;
      await e.state?.flushAll();
    }
    await this.sendPending();
    if (this.shared) {
      const offsets: TopicPartitionOffset[] = [];
      for (const e of this.entries.values()) offsets.push(...e.task.committableOffsets());
      await this.shared.commit(offsets);
    } else {
      for (const e of this.entries.values()) await e.committer!.commit(e.task.committableOffsets());
    }
    for (const e of this.entries.values()) e.state?.checkpoint([...e.changelogEnds.values()]);
  }

  /** Commits, then closes a task's stores (clean) and its producer. */
  async removeTask(taskId: string, clean: boolean): Promise<void> {
    const e = this.entries.get(taskId);
    if (!e) return;
    this.entries.delete(taskId);
    e.task.close();
    if (!clean) await e.committer?.abort().catch(() => undefined);
    await e.state?.closeAll(clean, [...e.changelogEnds.values()]).catch((err) => this.logger.warn(`Closing the stores of task ${taskId} failed: ${err}`));
    await e.committer?.close().catch((err) => this.logger.warn(`Closing the producer of task ${taskId} failed: ${err}`));
  }

  /** Throws away uncommitted work of every task (exactly-once aborts the open transactions). */
  async abortAll(): Promise<void> {
    for (const e of this.entries.values()) {
      e.collector.discard();
      await e.committer?.abort().catch(() => undefined);
    }
  }

  async close(clean: boolean): Promise<void> {
    for (const id of [...this.entries.keys()]) await this.removeTask(id, clean);
    await this.shared?.close().catch((err) => this.logger.warn(`Closing the producer failed: ${err}`));
  }

  stateOf(taskId: string): TaskStateManager | undefined {
    return this.entries.get(taskId)?.state;
  }

  private noteAppends(appends: readonly PartitionAppend[], only?: TaskEntry): void {
    for (const a of appends) {
      if (!a.topic.endsWith('-changelog')) continue;
      const k = `${a.topic}\u0000${a.partition}`;
      const next = { topic: a.topic, partition: a.partition, offset: a.lastOffset + 1 };
      if (only) only.changelogEnds.set(k, next);
      else for (const e of this.entries.values()) if (e.state?.changelogOffsets().some((o) => o.topic === a.topic && o.partition === a.partition)) e.changelogEnds.set(k, next);
    }
  }
}
