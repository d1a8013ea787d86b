/**
 * Owns one task's state stores (Kafka Streams' ProcessorStateManager): opens them, restores them
 * from their changelogs (from the checkpointed offset when LevelDB already holds state up to it),
 * flushes them at commit, writes the checkpoint and closes or wipes them.
 *
 * Exactly-once (Kafka's rule): the checkpoint is deleted once the task starts processing and
 * written only on a clean close, because LevelDB may then hold writes of a transaction that
 * aborts. A task that starts without a checkpoint wipes its logged persistent stores and restores
 * them from the changelog. Any restore from the changelog's beginning starts from an empty store,
 * so keys whose tombstones were compacted away cannot come back.
 *
 * Commit protocol the runtime follows: flushAll() -> send outputs + changelog records, commit
 * (transaction) -> checkpoint(changelog end offsets of that commit). Clean shutdown: commit as
 * above, then closeAll(true).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend, PartitionOffsets, TopicPartitionOffset } from '../backend/backend-types.js';
import { isStreamwrightError, StreamwrightError } from '../errors/streamwright-error.js';
import type { Header } from '../graph/processor-types.js';
import type { Logger } from '../runtime/logger.js';
import type { Metrics } from '../runtime/metrics.js';
import { restoreChangelogs, type RestoreProgress, type RestoreTarget } from './changelog-restorer.js';
import { deleteCheckpoint, readCheckpoint, tpKey, writeCheckpoint } from './checkpoint-file.js';
import { hasLocalState } from './level-handle.js';
import type { StoreContext, StoreLifecycle } from './store-types.js';

export interface ManagedStore {
  readonly store: StoreLifecycle;
  /** `<application.id>-<store>-changelog`; undefined when the store is not logged. */
  readonly changelogTopic: string | undefined;
}

export interface TaskStateManagerOptions {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  /** `<state.dir>/<application.id>/<taskId>`. */
  readonly taskDir: string;
  /** processing.guarantee = exactly_once_v2. */
  readonly eos: boolean;
  readonly backend: Backend;
  readonly stores: readonly ManagedStore[];
  /** Appends a changelog record to the task's pending commit (partition = task partition). */
  readonly logChange: (topic: string, partition: number, key: Buffer, value: Buffer | null, timestamp: number, headers?: readonly Header[]) => void;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly onRestoreProgress?: (p: RestoreProgress) => void;
  readonly restore?: { readonly maxPollRecords?: number; readonly pollWaitMs?: number; readonly idleTimeoutMs?: number };
}

export interface StoreRestoreSummary {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  /** 'checkpoint' = LevelDB state reused and only the tail replayed. */
  readonly from: 'checkpoint' | 'beginning';
  readonly startOffset: number;
  readonly endOffset: number;
  readonly restored: number;
}

type Phase = 'created' | 'open' | 'closed';

export class TaskStateManager {
  private phase: Phase = 'created';
  /** Changelog position per tpKey: where the next restore would start. */
  private readonly offsets = new Map<string, TopicPartitionOffset>();

  constructor(private readonly opts: TaskStateManagerOptions) {}

  store(name: string): StoreLifecycle | undefined {
    return this.opts.stores.find((m) => m.store.name === name)?.store;
  }

  private contextFor(m: ManagedStore): StoreContext {
    const { applicationId, taskId, partition, taskDir, metrics, logger, logChange } = this.opts;
    const topic = m.changelogTopic;
    return {
      applicationId,
      taskId,
      partition,
      taskDir,
      changelogTopic: topic,
      logChange: topic === undefined ? () => {} : (key, value, timestamp, headers) => logChange(topic, partition, key, value, timestamp, headers),
      metrics,
      logger,
    };
  }

  private storeDir(m: ManagedStore): string {
    return path.join(this.opts.taskDir, m.store.name);
  }

  private async endOffsets(topic: string): Promise<PartitionOffsets> {
    let all: PartitionOffsets[];
    try {
      all = await this.opts.backend.admin().listOffsets(topic);
    } catch (e) {
      if (!isStreamwrightError(e, 'TOPIC_NOT_FOUND')) throw e;
      throw new StreamwrightError('STATE_STORE', `Task ${this.opts.taskId}: changelog topic "${topic}" does not exist. Internal topics are created when the app starts; create it (cleanup.policy=compact) or restart the app so it is created.`, { task: this.opts.taskId, topic }, { cause: e });
    }
    const p = all.find((o) => o.partition === this.opts.partition);
    if (p === undefined) {
      throw new StreamwrightError('STATE_STORE', `Task ${this.opts.taskId}: changelog topic "${topic}" has no partition ${this.opts.partition} (it has ${all.length}). A changelog needs as many partitions as the store's input topics; recreate it with ${this.opts.partition + 1} or more.`, { task: this.opts.taskId, topic, partition: this.opts.partition });
    }
    return p;
  }

  /** Opens every store and restores the logged ones; returns what each restore read. */
  async openAll(): Promise<StoreRestoreSummary[]> {
    if (this.phase !== 'created') throw new StreamwrightError('STATE_STORE', `Task ${this.opts.taskId}: openAll() called twice; create a new TaskStateManager per task incarnation.`, { task: this.opts.taskId });
    const { taskDir, eos, partition, logger } = this.opts;
    fs.mkdirSync(taskDir, { recursive: true });
    const checkpoint = readCheckpoint(taskDir, logger);
    const plans: { m: ManagedStore; from: 'checkpoint' | 'beginning'; start: number; end: number }[] = [];
    for (const m of this.opts.stores) {
      const topic = m.changelogTopic;
      if (topic === undefined) continue;
      const { earliest, latest } = await this.endOffsets(topic);
      const cp = checkpoint?.get(tpKey(topic, partition));
      const local = m.store.persistent && hasLocalState(this.storeDir(m));
      let from: 'checkpoint' | 'beginning' = 'beginning';
      if (m.store.persistent && local && cp !== undefined) {
        if (cp >= earliest && cp <= latest) from = 'checkpoint';
        else logger.warn(`Store "${m.store.name}" of task ${this.opts.taskId}: checkpointed offset ${cp} is outside ${topic} partition ${partition} [${earliest}, ${latest}]; wiping local state and restoring from the beginning.`, { store: m.store.name, topic, partition, checkpoint: cp, earliest, latest });
      } else if (m.store.persistent && local && eos) {
        logger.info(`Store "${m.store.name}" of task ${this.opts.taskId}: no checkpoint under exactly-once, local state may hold uncommitted writes; wiping it and restoring from the changelog.`, { store: m.store.name });
      }
      if (m.store.persistent && from === 'beginning') fs.rmSync(this.storeDir(m), { recursive: true, force: true });
      plans.push({ m, from, start: from === 'checkpoint' ? cp! : earliest, end: latest });
    }
    const opened: StoreLifecycle[] = [];
    try {
      for (const m of this.opts.stores) {
        await m.store.open(this.contextFor(m));
        opened.push(m.store);
      }
      const targets: RestoreTarget[] = plans.map((p) => ({ store: p.m.store, topic: p.m.changelogTopic!, partition, startOffset: p.start, endOffset: p.end }));
      if (targets.some((t) => t.startOffset < t.endOffset)) {
        logger.info(`Task ${this.opts.taskId}: restoring ${targets.length} store(s) from changelogs.`, { task: this.opts.taskId, stores: targets.map((t) => `${t.store.name}@${t.startOffset}..${t.endOffset}`) });
      }
      const restored = await restoreChangelogs(this.opts.backend, targets, { eos, logger, onProgress: this.opts.onRestoreProgress, ...this.opts.restore });
      for (const m of this.opts.stores) await m.store.restoreDone();
      for (const t of targets) this.offsets.set(tpKey(t.topic, t.partition), { topic: t.topic, partition: t.partition, offset: t.endOffset });
      this.phase = 'open';
      if (eos) deleteCheckpoint(taskDir);
      else this.writeFile();
      return plans.map((p, i) => ({ store: p.m.store.name, topic: targets[i].topic, partition, from: p.from, startOffset: p.start, endOffset: p.end, restored: restored[i] }));
    } catch (e) {
      for (const s of opened) await s.close().catch(() => {});
      this.phase = 'closed';
      throw e;
    }
  }

  /** Writes every store's dirty state to its engine and changelog (call before the commit). */
  async flushAll(): Promise<void> {
    this.ensureOpen('flushAll');
    for (const m of this.opts.stores) await m.store.flush();
  }

  /**
   * Records the changelog offsets a commit made durable (next offset to read per changelog
   * partition) and, at-least-once, writes the checkpoint file. Under exactly-once the file is
   * written only by closeAll(true).
   */
  checkpoint(offsets: readonly TopicPartitionOffset[] = []): void {
    this.ensureOpen('checkpoint');
    this.merge(offsets);
    if (!this.opts.eos) this.writeFile();
  }

  /** Current changelog positions (what a checkpoint would say). */
  changelogOffsets(): TopicPartitionOffset[] {
    return [...this.offsets.values()];
  }

  private merge(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      const k = tpKey(o.topic, o.partition);
      const cur = this.offsets.get(k);
      if (cur !== undefined && o.offset >= cur.offset) this.offsets.set(k, { topic: o.topic, partition: o.partition, offset: o.offset });
    }
  }

  /**
   * Under exactly-once the last commit ends with a transaction marker, which takes an offset after
   * the task's last changelog record. The committed task is its changelog partitions' only writer,
   * so their end offsets now are where a restore must start (and a restore then reads nothing).
   */
  private async mergeCommittedEnds(): Promise<void> {
    for (const o of this.changelogOffsets()) {
      try {
        this.merge([{ topic: o.topic, partition: o.partition, offset: (await this.endOffsets(o.topic)).latest }]);
      } catch (e) {
        this.opts.logger.warn(`Task ${this.opts.taskId}: could not read the end of ${o.topic}; checkpointing offset ${o.offset} instead.`, { topic: o.topic, error: String(e) });
      }
    }
  }

  private writeFile(): void {
    const persistentTopics = new Set(this.opts.stores.filter((m) => m.store.persistent && m.changelogTopic !== undefined).map((m) => m.changelogTopic));
    writeCheckpoint(this.opts.taskDir, this.changelogOffsets().filter((o) => persistentTopics.has(o.topic)));
  }

  /**
   * Closes every store. clean = the task committed its last flush: the checkpoint is written
   * (with `offsets` merged in). Unclean: no checkpoint is written (under exactly-once the next
   * start then wipes and restores).
   */
  async closeAll(clean: boolean, offsets: readonly TopicPartitionOffset[] = []): Promise<void> {
    if (this.phase !== 'open') {
      this.phase = 'closed';
      return;
    }
    this.phase = 'closed';
    if (clean) {
      this.merge(offsets);
      if (this.opts.eos) await this.mergeCommittedEnds();
      this.writeFile();
    }
    let first: unknown;
    for (const m of this.opts.stores) {
      try {
        await m.store.close();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }

  /** Closes the stores, deletes their local files and the checkpoint (state lost or corrupted). */
  async wipe(): Promise<void> {
    for (const m of this.opts.stores) {
      if (this.phase === 'open') await m.store.destroy();
      fs.rmSync(this.storeDir(m), { recursive: true, force: true });
    }
    deleteCheckpoint(this.opts.taskDir);
    this.phase = 'closed';
  }

  private ensureOpen(op: string): void {
    if (this.phase !== 'open') {
      throw new StreamwrightError('STATE_STORE', `Task ${this.opts.taskId}: ${op}() needs the stores open (phase ${this.phase}); call openAll() first and do not use the manager after closeAll().`, { task: this.opts.taskId, phase: this.phase });
    }
  }
}
