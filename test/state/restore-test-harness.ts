import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend, LogProducer, ProducerRecord } from '../../src/backend/backend-types.js';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../src/backend/embedded/index.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { Metrics } from '../../src/runtime/metrics.js';
import type { RestoreProgress } from '../../src/state/changelog-restorer.js';
import { TaskStateManager, type ManagedStore } from '../../src/state/task-state-manager.js';
import { tempDir } from './state-test-helpers.js';

export const PARTITION = 1;

/** A Backend whose consumers count the records their polls return. */
export function countingBackend(inner: Backend): { backend: Backend; polled: () => number } {
  let polled = 0;
  const backend: Backend = {
    kind: inner.kind,
    description: inner.description,
    admin: () => inner.admin(),
    producer: (o) => inner.producer(o),
    close: () => inner.close(),
    consumer: (o) => {
      const c = inner.consumer(o);
      const poll = c.poll.bind(c);
      c.poll = async (p) => {
        const got = await poll(p);
        for (const b of got) polled += b.size;
        return got;
      };
      return c;
    },
  };
  return { backend, polled: () => polled };
}

export interface Harness {
  readonly log: EmbeddedBackend;
  readonly root: string;
  readonly cleanup: () => Promise<void>;
}

export async function harness(topics: readonly { name: string; config: Record<string, string> }[]): Promise<Harness> {
  const root = tempDir('sw-restore-');
  const log = await openEmbeddedBackend({ dataDir: path.join(root, 'log'), flush: 'never', maintenanceIntervalMs: 0 });
  await log.admin().createTopics(topics.map((t) => ({ name: t.name, partitions: 2, config: t.config })));
  return {
    log,
    root,
    cleanup: async () => {
      await log.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One task incarnation: a manager plus the runtime's commit protocol over the embedded log. */
export class TaskRun {
  readonly manager: TaskStateManager;
  readonly pending: ProducerRecord[] = [];
  readonly progress: RestoreProgress[] = [];
  private producer: LogProducer | undefined;

  constructor(
    private readonly backend: Backend,
    readonly taskDir: string,
    stores: readonly ManagedStore[],
    readonly eos: boolean,
    private readonly txId = 'app-0_1',
  ) {
    this.manager = new TaskStateManager({
      applicationId: 'app',
      taskId: '0_1',
      partition: PARTITION,
      taskDir,
      eos,
      backend,
      stores,
      logChange: (topic, partition, key, value, timestamp) => this.pending.push({ topic, partition, key, value, timestamp }),
      metrics: new Metrics(),
      logger: silentLogger,
      onRestoreProgress: (p) => this.progress.push(p),
      restore: { maxPollRecords: 50, pollWaitMs: 20, idleTimeoutMs: 2000 },
    });
  }

  /** flushAll -> send (in a transaction under EOS) -> checkpoint. abort = the transaction aborts. */
  async commit(opts: { abort?: boolean; skipCheckpoint?: boolean } = {}): Promise<void> {
    await this.manager.flushAll();
    this.producer ??= this.backend.producer(this.eos ? { transactionalId: this.txId } : {});
    const records = this.pending.splice(0);
    if (this.eos) await this.producer.beginTransaction();
    const appends = records.length > 0 ? await this.producer.send(records) : [];
    if (this.eos) await (opts.abort ? this.producer.abortTransaction() : this.producer.commitTransaction());
    if (opts.abort || opts.skipCheckpoint) return;
    this.manager.checkpoint(appends.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.lastOffset + 1 })));
  }

  async close(clean: boolean): Promise<void> {
    await this.manager.closeAll(clean);
    await this.producer?.close();
  }
}
