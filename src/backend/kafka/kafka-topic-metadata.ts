import type { Admin } from 'kafkajs';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { hasKafkaErrorType, toStreamwrightError } from './kafka-errors.js';

const MAX_AGE_MS = 60_000;

/**
 * Partition counts per topic, read from cluster metadata through one shared kafkajs admin client and
 * cached for a minute (Kafka's metadata.max.age.ms idea), so the producer can apply our own
 * partitioner (murmur2 of the key, as Kafka Streams does) before handing records to kafkajs.
 */
export class TopicMetadataCache {
  private readonly counts = new Map<string, { count: number; at: number }>();
  private connected: Promise<void> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly bootstrapServers: string,
  ) {}

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.admin.disconnect();
  }

  /** Forgets a topic so the next lookup asks the cluster again (after a send failed on it). */
  invalidate(topic: string): void {
    this.counts.delete(topic);
  }

  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const now = Date.now();
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const t of topics) {
      const hit = this.counts.get(t);
      if (hit !== undefined && now - hit.at < MAX_AGE_MS) out.set(t, hit.count);
      else missing.push(t);
    }
    if (missing.length === 0) return out;
    this.connected ??= this.admin.connect();
    try {
      await this.connected;
      const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: missing });
      for (const m of meta) {
        this.counts.set(m.name, { count: m.partitions.length, at: now });
        out.set(m.name, m.partitions.length);
      }
    } catch (e) {
      if (hasKafkaErrorType(e, 'UNKNOWN_TOPIC_OR_PARTITION')) {
        throw new StreamwrightError(
          'TOPIC_NOT_FOUND',
          `Topic ${missing.length === 1 ? missing[0] : `among ${missing.join(', ')}`} not found at Kafka ${this.bootstrapServers}. Create it first with admin().createTopics.`,
          { topics: missing },
          { cause: e },
        );
      }
      this.connected = undefined;
      throw toStreamwrightError(e, { bootstrapServers: this.bootstrapServers, action: `reading metadata of ${missing.join(', ')}` });
    }
    for (const t of missing) {
      if (!out.has(t)) {
        throw new StreamwrightError('TOPIC_NOT_FOUND', `Topic ${t} not found at Kafka ${this.bootstrapServers}. Create it first with admin().createTopics.`, { topic: t });
      }
    }
    return out;
  }
}
