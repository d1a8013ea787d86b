import type { Serde } from '../graph/serde-types.js';
import type { TimestampExtractor } from '../graph/processor-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { serdeByName } from '../serde/serdes.js';
import type { LogLevel } from './logger.js';
import type { DeserializationHandler } from './task-context.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

/** Config as users write it: Kafka Streams' keys, values as strings or typed values. */
export type StreamsConfigInput = Readonly<Record<string, unknown>>;

/** Config after validation and defaults. */
export interface StreamsConfig {
  readonly applicationId: string;
  readonly bootstrapServers: string | undefined;
  readonly clientId: string;
  readonly processingGuarantee: ProcessingGuarantee;
  readonly commitIntervalMs: number;
  readonly pollMs: number;
  readonly maxPollRecords: number;
  readonly stateDir: string;
  readonly logDir: string;
  readonly logFlush: 'always' | 'interval' | 'never';
  readonly logFlushIntervalMs: number;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  readonly deserializationHandler: DeserializationHandler;
  readonly productionHandler: 'fail' | 'continue';
  readonly replicationFactor: number;
  readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  readonly cacheMaxBytes: number;
  readonly maxTaskIdleMs: number;
  readonly logLevel: LogLevel;
  /** `application.server`: the `host:port` this instance advertises to the other instances of
   * its application for interactive queries (see docs/interactive-queries.md). */
  readonly applicationServer: string | undefined;
  /** consumer.* / producer.* / admin.* pass-through settings, prefix removed. */
  readonly clientOverrides: Readonly<Record<'consumer' | 'producer' | 'admin', Readonly<Record<string, unknown>>>>;
  /** Everything as given, for describe(). */
  readonly raw: StreamsConfigInput;
}

const KNOWN_KEYS = [
  'application.id', 'bootstrap.servers', 'client.id', 'processing.guarantee', 'commit.interval.ms', 'poll.ms',
  'max.poll.records', 'state.dir', 'log.dir', 'log.flush', 'log.flush.interval.ms', 'default.key.serde',
  'default.value.serde', 'default.timestamp.extractor', 'default.deserialization.exception.handler',
  'default.production.exception.handler', 'replication.factor', 'auto.offset.reset', 'statestore.cache.max.bytes',
  'cache.max.bytes.buffering', 'max.task.idle.ms', 'num.stream.threads', 'num.standby.replicas', 'topology.optimization',
  'log.level', 'application.server',
] as const;

export const CONFIG_KEYS: readonly string[] = KNOWN_KEYS;

export function resolveConfig(input: StreamsConfigInput, opts: { requireApplicationId?: boolean } = {}): StreamsConfig {
  const overrides = { consumer: {} as Record<string, unknown>, producer: {} as Record<string, unknown>, admin: {} as Record<string, unknown> };
  for (const [key, value] of Object.entries(input)) {
    const prefix = /^(consumer|producer|admin)\.(.+)$/.exec(key);
    if (prefix) {
      overrides[prefix[1] as 'consumer'][prefix[2]] = value;
      continue;
    }
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      const near = closest(key, KNOWN_KEYS);
      throw new StreamwrightError('CONFIG_UNKNOWN_KEY', `Unknown config key "${key}".${near ? ` Did you mean "${near}"?` : ''} Known keys: ${KNOWN_KEYS.join(', ')}; client settings go under consumer.*, producer.* or admin.*.`, { key, suggestion: near });
    }
  }
  const appId = input['application.id'];
  if (appId === undefined && opts.requireApplicationId !== false) {
    throw new StreamwrightError('CONFIG_INVALID', 'Missing "application.id": every app needs one; it names its consumer group, internal topics and state directory.', { key: 'application.id' });
  }
  const applicationId = appId === undefined ? 'streamwright-test' : str('application.id', appId);
  if (!/^[a-zA-Z0-9._-]+$/.test(applicationId)) {
    throw new StreamwrightError('CONFIG_INVALID', `"application.id" must use only letters, digits, '.', '_' and '-' (it prefixes topic names), got ${JSON.stringify(applicationId)}.`, { key: 'application.id' });
  }
  const guarantee = oneOf('processing.guarantee', input['processing.guarantee'] ?? 'at_least_once', ['at_least_once', 'exactly_once_v2', 'exactly_once', 'exactly_once_beta']);
  const processingGuarantee: ProcessingGuarantee = guarantee === 'at_least_once' ? 'at_least_once' : 'exactly_once_v2';
  const cache = input['statestore.cache.max.bytes'] ?? input['cache.max.bytes.buffering'];
  const handler = String(input['default.deserialization.exception.handler'] ?? 'log-and-fail');
  return {
    applicationId,
    bootstrapServers: input['bootstrap.servers'] === undefined ? undefined : str('bootstrap.servers', input['bootstrap.servers']),
    clientId: input['client.id'] === undefined ? applicationId : str('client.id', input['client.id']),
    processingGuarantee,
    commitIntervalMs: int('commit.interval.ms', input['commit.interval.ms'] ?? (processingGuarantee === 'at_least_once' ? 30000 : 100), 0),
    pollMs: int('poll.ms', input['poll.ms'] ?? 100, 0),
    maxPollRecords: int('max.poll.records', input['max.poll.records'] ?? 1000, 1),
    stateDir: str('state.dir', input['state.dir'] ?? '.streamwright/state'),
    logDir: str('log.dir', input['log.dir'] ?? '.streamwright/log'),
    logFlush: oneOf('log.flush', input['log.flush'] ?? 'interval', ['always', 'interval', 'never']) as StreamsConfig['logFlush'],
    logFlushIntervalMs: int('log.flush.interval.ms', input['log.flush.interval.ms'] ?? 1000, 1),
    defaultKeySerde: serde('default.key.serde', input['default.key.serde']),
    defaultValueSerde: serde('default.value.serde', input['default.value.serde']),
    defaultTimestampExtractor: fn('default.timestamp.extractor', input['default.timestamp.extractor']) as TimestampExtractor | undefined,
    deserializationHandler: /continue/i.test(handler) ? 'log-and-continue' : /fail/i.test(handler) ? 'log-and-fail' : invalid('default.deserialization.exception.handler', handler, 'log-and-continue or log-and-fail'),
    productionHandler: oneOf('default.production.exception.handler', input['default.production.exception.handler'] ?? 'fail', ['fail', 'continue']) as 'fail' | 'continue',
    replicationFactor: int('replication.factor', input['replication.factor'] ?? -1, -1),
    autoOffsetReset: oneOf('auto.offset.reset', input['auto.offset.reset'] ?? 'earliest', ['earliest', 'latest', 'none']) as StreamsConfig['autoOffsetReset'],
    cacheMaxBytes: int('statestore.cache.max.bytes', cache ?? 10 * 1024 * 1024, 0),
    maxTaskIdleMs: int('max.task.idle.ms', input['max.task.idle.ms'] ?? 0, -1),
    logLevel: oneOf('log.level', input['log.level'] ?? 'info', ['debug', 'info', 'warn', 'error', 'silent']) as LogLevel,
    applicationServer: hostPort('application.server', input['application.server']),
    clientOverrides: overrides,
    raw: { ...input },
  };
}

function invalid(key: string, value: unknown, expected: string): never {
  throw new StreamwrightError('CONFIG_INVALID', `Config "${key}" is ${JSON.stringify(value)}; expected ${expected}.`, { key, value });
}

function str(key: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) invalid(key, v, 'a non-empty string');
  return v;
}

function int(key: string, v: unknown, min: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) invalid(key, v, `an integer >= ${min}`);
  return n;
}

/** `host:port` (Kafka Streams' HostInfo): a host without spaces or a bracketed IPv6 address, port 1-65535. */
function hostPort(key: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/.exec(v) : null;
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) invalid(key, v, 'host:port with a port from 1 to 65535, e.g. "orders-1.internal:8080" or "[::1]:8080"');
  return v as string;
}

function oneOf(key: string, v: unknown, allowed: readonly string[]): string {
  if (typeof v !== 'string' || !allowed.includes(v)) invalid(key, v, `one of ${allowed.join(', ')}`);
  return v;
}

function fn(key: string, v: unknown): ((...args: never[]) => unknown) | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') invalid(key, v, 'a function');
  return v as (...args: never[]) => unknown;
}

function serde(key: string, v: unknown): Serde<unknown> | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return serdeByName(v);
  if (typeof v === 'object' && v !== null && 'serialize' in v && 'deserialize' in v) return v as Serde<unknown>;
  return invalid(key, v, 'a serde name (String, Json, Bytes, Int, Long, Double) or a Serde object');
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(3, Math.floor(key.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
