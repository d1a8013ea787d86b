import type { Writable } from 'node:stream';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { acquireEmbeddedBackend, type BackendLease } from '../runtime/backend-resolver.js';
import { stringOption, type OptionValues } from './cli-args.js';

/** The runtime's `log.dir` default, so the CLI and apps find the same embedded log. */
export const DEFAULT_LOG_DIR = '.streamwright/log';

export interface GlobalOptions {
  /** Set when Kafka is used: flag, else STREAMWRIGHT_BOOTSTRAP_SERVERS. */
  readonly bootstrapServers: string | undefined;
  /** Embedded log directory: flag, else STREAMWRIGHT_LOG_DIR, else the default. */
  readonly logDir: string;
  /** True when --log-dir or STREAMWRIGHT_LOG_DIR chose logDir (run keeps an app's own log.dir otherwise). */
  readonly logDirExplicit: boolean;
  readonly verbose: boolean;
}

export function globalOptions(values: OptionValues, env: Readonly<Record<string, string | undefined>>): GlobalOptions {
  const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const bootstrapServers = nonEmpty(stringOption(values, 'bootstrap-server')) ?? nonEmpty(env.STREAMWRIGHT_BOOTSTRAP_SERVERS);
  const dir = nonEmpty(stringOption(values, 'log-dir')) ?? nonEmpty(env.STREAMWRIGHT_LOG_DIR);
  return { bootstrapServers, logDir: dir ?? DEFAULT_LOG_DIR, logDirExplicit: dir !== undefined, verbose: values.verbose === true };
}

/**
 * Opens the backend the global options select. The embedded log is opened with flush 'always'
 * so whatever the CLI reports as written is on disk; it is shared with apps started in the same
 * process (one open log per directory). kafkajs is loaded only when Kafka is used.
 */
export async function openCliBackend(g: GlobalOptions, stderr: Writable): Promise<BackendLease> {
  if (g.bootstrapServers !== undefined) {
    let kafka: typeof import('../backend/kafka/index.js');
    try {
      kafka = await import('../backend/kafka/index.js');
    } catch (e) {
      throw new StreamwrightError('BACKEND', `Loading the Kafka backend (kafkajs) failed: ${(e instanceof Error ? e.message.split('\n')[0] : String(e)).replace(/\.?$/, '.')} Check that the kafkajs dependency is installed (npm install), or drop --bootstrap-server to use the embedded log.`, { bootstrapServers: g.bootstrapServers }, { cause: e });
    }
    const { createKafkaBackend } = kafka;
    const backend = createKafkaBackend({
      'bootstrap.servers': g.bootstrapServers,
      'client.id': 'streamwright-cli',
      'log.level': g.verbose ? 'info' : 'error',
      logger: { log: (level, message) => void stderr.write(`[kafka ${level}] ${message}\n`) },
    });
    return { backend, release: () => backend.close() };
  }
  return acquireEmbeddedBackend(g.logDir, { flush: 'always' });
}

/** Opens the backend, runs `fn`, and always releases the backend. */
export async function withBackend<T>(g: GlobalOptions, stderr: Writable, fn: (lease: BackendLease) => Promise<T>): Promise<T> {
  const lease = await openCliBackend(g, stderr);
  let result: T;
  try {
    result = await fn(lease);
  } catch (e) {
    // The command's error is the one to report; a failing release must not hide it.
    await lease.release().catch(() => undefined);
    throw e;
  }
  await lease.release();
  return result;
}
