import * as path from 'node:path';
import type { Backend } from '../backend/backend-types.js';
import type { StreamsConfig } from './streams-config.js';

/** A backend plus how to let go of it (shared embedded logs close with their last user). */
export interface BackendLease {
  readonly backend: Backend;
  release(): Promise<void>;
}

interface SharedLog {
  readonly backend: Promise<Backend>;
  users: number;
}

/** One open embedded log per data directory per process, shared by every app that names it. */
const openLogs = new Map<string, SharedLog>();

/**
 * Picks the backend an app runs on: Apache Kafka when `bootstrap.servers` is set, otherwise the
 * embedded log in `log.dir`. kafkajs is loaded only when Kafka is used.
 */
export async function acquireBackend(config: StreamsConfig): Promise<BackendLease> {
  if (config.bootstrapServers !== undefined) {
    const { createKafkaBackend } = await import('../backend/kafka/index.js');
    const backend = createKafkaBackend({ 'bootstrap.servers': config.bootstrapServers, 'client.id': config.clientId });
    return { backend, release: () => backend.close() };
  }
  return acquireEmbeddedBackend(config.logDir, { flush: config.logFlush, flushIntervalMs: config.logFlushIntervalMs });
}

export async function acquireEmbeddedBackend(
  dataDir: string,
  opts: { flush?: 'always' | 'interval' | 'never'; flushIntervalMs?: number } = {},
): Promise<BackendLease> {
  const dir = path.resolve(dataDir);
  let shared = openLogs.get(dir);
  if (!shared) {
    const backend = import('../backend/embedded/index.js').then(({ openEmbeddedBackend }) => openEmbeddedBackend({ dataDir: dir, ...opts }));
    shared = { backend, users: 0 };
    openLogs.set(dir, shared);
    backend.catch(() => openLogs.delete(dir));
  }
  shared.users++;
  const backend = await shared.backend;
  let released = false;
  const entry = shared;
  return {
    backend,
    release: async () => {
      if (released) return;
      released = true;
      if (--entry.users === 0) {
        openLogs.delete(dir);
        await backend.close();
      }
    },
  };
}
