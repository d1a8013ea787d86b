import * as fs from 'node:fs';
import * as path from 'node:path';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { Backend, ConsumerOptions, LogAdmin, LogConsumer, LogProducer, ProducerOptions } from '../backend-types.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { EmbeddedAdmin } from './embedded-admin.js';
import type { EmbeddedContext } from './embedded-context.js';
import { EmbeddedConsumer } from './embedded-consumer.js';
import { EmbeddedProducer } from './embedded-producer.js';
import { FlushScheduler, type FlushPolicy } from './flush-scheduler.js';
import { GroupCoordinator } from './group-coordinator.js';
import { applyCompaction, applyRetention } from './log-cleaner.js';
import { OffsetStore } from './offset-store.js';
import { TopicRegistry } from './topic-registry.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import { WakeNotifier } from './wake-notifier.js';

export interface EmbeddedBackendOptions {
  /** Directory holding the log; created if missing. One process owns it at a time. */
  readonly dataDir: string;
  /** When appends reach the disk; see FlushScheduler. Default 'interval'. */
  readonly flush?: FlushPolicy;
  /** fsync period for flush 'interval'. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Period of the background retention/compaction pass (Kafka's log.retention.check.interval.ms). Default 300000; 0 disables. */
  readonly maintenanceIntervalMs?: number;
}

export interface EmbeddedBackend extends Backend {
  /** Runs retention and compaction on every partition now (`now` overrides the clock, for tests). */
  maintenance(now?: number): Promise<void>;
}

function optionError(key: string, value: unknown, expected: string): StreamwrightError {
  return new StreamwrightError('CONFIG_INVALID', `Invalid embedded backend option ${key}=${JSON.stringify(value)}: expected ${expected}.`, { key, value });
}

/** Opens (creating if needed) the embedded durable log at opts.dataDir, recovering it after a crash. */
export async function openEmbeddedBackend(opts: EmbeddedBackendOptions): Promise<EmbeddedBackend> {
  if (typeof opts.dataDir !== 'string' || opts.dataDir === '') throw optionError('dataDir', opts.dataDir, 'a directory path');
  const policy = opts.flush ?? 'interval';
  if (policy !== 'always' && policy !== 'interval' && policy !== 'never') throw optionError('flush', policy, "'always', 'interval' or 'never'");
  const intervalMs = opts.flushIntervalMs ?? 1000;
  if (!(intervalMs > 0)) throw optionError('flushIntervalMs', intervalMs, 'a positive number of milliseconds');
  const maintenanceMs = opts.maintenanceIntervalMs ?? 300_000;
  if (!(maintenanceMs >= 0)) throw optionError('maintenanceIntervalMs', maintenanceMs, 'milliseconds >= 0');
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const release = acquireDataDirLock(dataDir);
  let flusher: FlushScheduler | undefined;
  try {
    flusher = new FlushScheduler(policy, intervalMs);
    const topics = new TopicRegistry(dataDir, flusher);
    const offsets = new OffsetStore(dataDir, flusher);
    const txns = new TransactionCoordinator(dataDir, flusher, topics, offsets);
    return new EmbeddedLogBackend(dataDir, flusher, topics, offsets, txns, maintenanceMs, release);
  } catch (e) {
    flusher?.close();
    release();
    throw e;
  }
}

class EmbeddedLogBackend implements EmbeddedBackend {
  readonly kind = 'embedded' as const;
  readonly description: string;
  private readonly ctx: EmbeddedContext;
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly producers = new Set<EmbeddedProducer>();
  private readonly timer: NodeJS.Timeout | null;
  private readonly release: () => void;
  private closed = false;

  constructor(
    dataDir: string,
    flusher: FlushScheduler,
    topics: TopicRegistry,
    offsets: OffsetStore,
    txns: TransactionCoordinator,
    maintenanceMs: number,
    release: () => void,
  ) {
    this.description = `embedded log at ${dataDir}`;
    this.release = release;
    const notifier = new WakeNotifier();
    this.ctx = {
      dataDir,
      topics,
      offsets,
      txns,
      flusher,
      notifier,
      groups: new GroupCoordinator(topics, notifier),
      ensureOpen: () => {
        if (this.closed) {
          throw new StreamwrightError('LOG_CLOSED', `The embedded log at ${dataDir} is closed. Open it again with openEmbeddedBackend().`, { dataDir });
        }
      },
    };
    this.timer = maintenanceMs > 0 ? setInterval(() => this.backgroundMaintenance(), maintenanceMs) : null;
    this.timer?.unref();
  }

  private backgroundMaintenance(): void {
    this.maintenance().catch((e: unknown) => {
      process.emitWarning(`Streamwright embedded log maintenance failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  admin(): LogAdmin {
    this.ctx.ensureOpen();
    return new EmbeddedAdmin(this.ctx);
  }

  consumer(opts: ConsumerOptions): LogConsumer {
    this.ctx.ensureOpen();
    const c = new EmbeddedConsumer(this.ctx, opts ?? {});
    this.consumers.add(c);
    return c;
  }

  producer(opts: ProducerOptions): LogProducer {
    this.ctx.ensureOpen();
    const p = new EmbeddedProducer(this.ctx, opts ?? {});
    this.producers.add(p);
    return p;
  }

  async maintenance(now: number = Date.now()): Promise<void> {
    this.ctx.ensureOpen();
    const { flusher } = this.ctx;
    for (const t of this.ctx.topics.topics.values()) {
      for (const log of t.logs) {
        applyRetention(log, now, flusher);
        applyCompaction(log, now, flusher);
      }
    }
    this.ctx.notifier.notify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      for (const c of this.consumers) await c.close().catch(() => undefined);
      for (const p of this.producers) await p.close().catch(() => undefined);
    } finally {
      this.closed = true;
      if (this.timer !== null) clearInterval(this.timer);
      this.ctx.notifier.notify();
      try {
        this.ctx.flusher.close();
        this.ctx.topics.closeAll();
        this.ctx.offsets.close();
        this.ctx.txns.close();
      } finally {
        this.release();
      }
    }
  }
}
