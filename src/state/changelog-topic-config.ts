/**
 * Changelog topics as Kafka Streams creates them: `<application.id>-<store>-changelog`,
 * compacted; windowed stores `compact,delete` with retention.ms = store retention + 1 day
 * (windowstore.changelog.additional.retention.ms), so the log forgets expired windows.
 */
import type { TopicSpec } from '../backend/backend-types.js';
import type { StoreSpec } from '../graph/store-spec.js';
import { storeConfigError } from './store-errors.js';

export const WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/** Topic configs for a store's changelog; the store's loggingConfig overrides the defaults. */
export function changelogTopicConfig(spec: StoreSpec, additionalRetentionMs = WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS): Record<string, string> {
  const base: Record<string, string> = { 'cleanup.policy': 'compact' };
  if (spec.type !== 'keyValue') {
    const r = spec.retentionMs;
    if (r === undefined || !(Number.isSafeInteger(r) && r > 0)) {
      throw storeConfigError(spec.name, 'retentionMs', r, 'a whole number of milliseconds > 0 for a window or session store');
    }
    // A join buffer logs every record under its plain key: compaction would drop all but the last.
    base['cleanup.policy'] = spec.retainDuplicates === true ? 'delete' : 'compact,delete';
    base['retention.ms'] = String(r + additionalRetentionMs);
  }
  return { ...base, ...spec.loggingConfig };
}

/** The TopicSpec to create for a logged store (one partition per input partition). */
export function changelogTopicSpec(applicationId: string, spec: StoreSpec, partitions: number, replicationFactor?: number): TopicSpec {
  return {
    name: changelogTopicName(applicationId, spec.name),
    partitions,
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
    config: changelogTopicConfig(spec),
  };
}
