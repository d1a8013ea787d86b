import { StreamwrightError } from '../../errors/streamwright-error.js';

/** The topic configs the embedded log interprets, with Kafka's defaults. Other keys are stored as given. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'delete.retention.ms': '86400000',
  'min.compaction.lag.ms': '0',
};

/** Parsed, typed view of a topic's config. */
export interface TopicSettings {
  readonly compact: boolean;
  readonly delete: boolean;
  /** -1 = keep forever. */
  readonly retentionMs: number;
  /** -1 = no size limit. */
  readonly retentionBytes: number;
  readonly segmentBytes: number;
  readonly deleteRetentionMs: number;
  readonly minCompactionLagMs: number;
}

function configError(topic: string, key: string, value: string, expected: string): StreamwrightError {
  return new StreamwrightError(
    'CONFIG_INVALID',
    `Invalid config ${key}=${JSON.stringify(value)} for topic "${topic}": expected ${expected}. Fix the value in the topic spec and create the topic again.`,
    { topic, key, value },
  );
}

function intConfig(topic: string, cfg: Record<string, string>, key: string, min: number): number {
  const raw = cfg[key];
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw configError(topic, key, raw, `an integer >= ${min}`);
  return n;
}

/** Validates a topic's config and returns the parsed settings (defaults filled in). */
export function parseTopicConfig(topic: string, config: Readonly<Record<string, string>> | undefined): TopicSettings {
  const cfg: Record<string, string> = { ...TOPIC_CONFIG_DEFAULTS };
  for (const [k, v] of Object.entries(config ?? {})) {
    if (typeof v !== 'string') throw configError(topic, k, String(v), 'a string value');
    cfg[k] = v;
  }
  const policies = cfg['cleanup.policy'].split(',').map((s) => s.trim());
  if (policies.length === 0 || policies.some((p) => p !== 'delete' && p !== 'compact')) {
    throw configError(topic, 'cleanup.policy', cfg['cleanup.policy'], '"delete", "compact" or "compact,delete"');
  }
  return {
    compact: policies.includes('compact'),
    delete: policies.includes('delete'),
    retentionMs: intConfig(topic, cfg, 'retention.ms', -1),
    retentionBytes: intConfig(topic, cfg, 'retention.bytes', -1),
    segmentBytes: intConfig(topic, cfg, 'segment.bytes', 1024),
    deleteRetentionMs: intConfig(topic, cfg, 'delete.retention.ms', 0),
    minCompactionLagMs: intConfig(topic, cfg, 'min.compaction.lag.ms', 0),
  };
}

/** The config as describeTopics reports it: Kafka's defaults overlaid with the topic's own values. */
export function effectiveConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  return { ...TOPIC_CONFIG_DEFAULTS, ...config };
}
