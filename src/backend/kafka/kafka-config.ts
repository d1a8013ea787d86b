import { StreamwrightError } from '../../errors/streamwright-error.js';

/**
 * Settings of the Kafka backend, named after the Java client's configs where one exists.
 * Unknown keys are rejected (CONFIG_UNKNOWN_KEY) so typos do not silently fall back to defaults.
 */
export interface KafkaBackendConfig {
  /** Comma-separated host:port list, as in Kafka. */
  readonly 'bootstrap.servers': string;
  readonly 'client.id'?: string;
  /** Socket connect timeout. Default 3000. */
  readonly 'socket.connection.setup.timeout.ms'?: number;
  /** Per-request timeout. Default 30000. */
  readonly 'request.timeout.ms'?: number;
  /** Consumer group session timeout; ConsumerOptions.sessionTimeoutMs overrides it. Default 30000. */
  readonly 'session.timeout.ms'?: number;
  /** Default 3000. Must be lower than session.timeout.ms. */
  readonly 'heartbeat.interval.ms'?: number;
  /** How long the coordinator waits for members to rejoin; also how long a rejoin waits for the
   * runtime to call poll() and run onPartitionsRevoked. Default 60000. */
  readonly 'rebalance.timeout.ms'?: number;
  /** Longest a broker holds a fetch open when no data is available. Default 500. */
  readonly 'fetch.max.wait.ms'?: number;
  readonly 'max.partition.fetch.bytes'?: number;
  /** Partitions fetched and buffered concurrently per consumer (kafkajs partitionsConsumedConcurrently). Default 8. */
  readonly 'partitions.consumed.concurrently'?: number;
  /** Non-transactional producers only. Needs a broker that answers InitProducerId via the controller. Default false. */
  readonly 'enable.idempotence'?: boolean;
  /** Transaction timeout for transactional producers. Default 60000. */
  readonly 'transaction.timeout.ms'?: number;
  /** How many times kafkajs retries a retriable failure. Default 5. */
  readonly retries?: number;
  /** Longest backoff between retries. Default 30000. */
  readonly 'retry.backoff.max.ms'?: number;
  /** Initial backoff. Default 300. */
  readonly 'retry.backoff.ms'?: number;
  /** kafkajs log level routed to the backend logger. Default 'warn'. */
  readonly 'log.level'?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /** Where kafkajs log lines go. Default: warnings and errors to console.warn / console.error. */
  readonly logger?: KafkaLogSink;
}

export interface KafkaLogSink {
  log(level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: Readonly<Record<string, unknown>>): void;
}

/** The config with defaults filled in. */
export interface ResolvedKafkaConfig {
  readonly brokers: string[];
  readonly bootstrapServers: string;
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly fetchMaxWaitMs: number;
  readonly maxPartitionFetchBytes: number;
  readonly partitionsConsumedConcurrently: number;
  readonly enableIdempotence: boolean;
  readonly transactionTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMaxMs: number;
  readonly retryBackoffMs: number;
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  readonly logger: KafkaLogSink | undefined;
}

const KNOWN_KEYS = new Set<string>([
  'bootstrap.servers',
  'client.id',
  'socket.connection.setup.timeout.ms',
  'request.timeout.ms',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'rebalance.timeout.ms',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'partitions.consumed.concurrently',
  'enable.idempotence',
  'transaction.timeout.ms',
  'retries',
  'retry.backoff.max.ms',
  'retry.backoff.ms',
  'log.level',
  'logger',
]);

const LOG_LEVELS = new Set(['nothing', 'error', 'warn', 'info', 'debug']);

function positiveInt(config: KafkaBackendConfig, key: keyof KafkaBackendConfig, fallback: number, min = 1): number {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new StreamwrightError(
      'CONFIG_INVALID',
      `Kafka backend config '${key}' must be an integer >= ${min}, got ${JSON.stringify(v)}. Fix the value or remove it to use the default ${fallback}.`,
      { key, value: v },
    );
  }
  return v;
}

export function resolveKafkaConfig(config: KafkaBackendConfig): ResolvedKafkaConfig {
  if (config === null || typeof config !== 'object') {
    throw new StreamwrightError('CONFIG_INVALID', "Kafka backend config must be an object with at least 'bootstrap.servers'.", {});
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new StreamwrightError(
        'CONFIG_UNKNOWN_KEY',
        `Unknown Kafka backend config '${key}'. Known keys: ${[...KNOWN_KEYS].join(', ')}.`,
        { key },
      );
    }
  }
  const servers = config['bootstrap.servers'];
  const brokers = typeof servers === 'string' ? servers.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new StreamwrightError(
      'CONFIG_INVALID',
      `Kafka backend config 'bootstrap.servers' must be a comma-separated list of host:port, got ${JSON.stringify(servers)}. Example: 'localhost:9092'.`,
      { key: 'bootstrap.servers', value: servers },
    );
  }
  const logLevel = config['log.level'] ?? 'warn';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new StreamwrightError(
      'CONFIG_INVALID',
      `Kafka backend config 'log.level' must be one of nothing, error, warn, info, debug; got ${JSON.stringify(logLevel)}.`,
      { key: 'log.level', value: logLevel },
    );
  }
  const sessionTimeoutMs = positiveInt(config, 'session.timeout.ms', 30_000);
  const heartbeatIntervalMs = positiveInt(config, 'heartbeat.interval.ms', Math.min(3_000, Math.floor(sessionTimeoutMs / 3)) || 1);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new StreamwrightError(
      'CONFIG_INVALID',
      `Kafka backend config 'heartbeat.interval.ms' (${heartbeatIntervalMs}) must be lower than 'session.timeout.ms' (${sessionTimeoutMs}); Kafka recommends at most a third of it.`,
      { key: 'heartbeat.interval.ms', value: heartbeatIntervalMs },
    );
  }
  return {
    brokers,
    bootstrapServers: brokers.join(','),
    clientId: config['client.id'] ?? 'streamwright',
    connectionTimeoutMs: positiveInt(config, 'socket.connection.setup.timeout.ms', 3_000),
    requestTimeoutMs: positiveInt(config, 'request.timeout.ms', 30_000),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: positiveInt(config, 'rebalance.timeout.ms', 60_000),
    fetchMaxWaitMs: positiveInt(config, 'fetch.max.wait.ms', 500),
    maxPartitionFetchBytes: positiveInt(config, 'max.partition.fetch.bytes', 1_048_576),
    partitionsConsumedConcurrently: positiveInt(config, 'partitions.consumed.concurrently', 8),
    enableIdempotence: config['enable.idempotence'] ?? false,
    transactionTimeoutMs: positiveInt(config, 'transaction.timeout.ms', 60_000),
    retries: positiveInt(config, 'retries', 5, 0),
    retryBackoffMaxMs: positiveInt(config, 'retry.backoff.max.ms', 30_000),
    retryBackoffMs: positiveInt(config, 'retry.backoff.ms', 300),
    logLevel,
    logger: config.logger,
  };
}
