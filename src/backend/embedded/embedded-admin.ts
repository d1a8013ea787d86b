import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { LogAdmin, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../backend-types.js';
import { validateTopicName } from '../topic-name.js';
import type { EmbeddedContext } from './embedded-context.js';
import { effectiveConfig } from './topic-config.js';

/** Topic and offset administration of the embedded log. */
export class EmbeddedAdmin implements LogAdmin {
  private readonly ctx: EmbeddedContext;

  constructor(ctx: EmbeddedContext) {
    this.ctx = ctx;
  }

  async createTopics(specs: readonly TopicSpec[], opts?: { readonly ifNotExists?: boolean }): Promise<void> {
    this.ctx.ensureOpen();
    const { topics } = this.ctx;
    const seen = new Set<string>();
    for (const s of specs) {
      topics.validate(s);
      if ((topics.topics.has(s.name) || seen.has(s.name)) && opts?.ifNotExists !== true) {
        throw new StreamwrightError(
          'TOPIC_EXISTS',
          `Topic "${s.name}" already exists in the embedded log at ${this.ctx.dataDir}. Use it as is, delete it first, or pass ifNotExists.`,
          { topic: s.name },
        );
      }
      seen.add(s.name);
    }
    let created = false;
    for (const s of specs) {
      if (topics.topics.has(s.name)) continue;
      topics.create(s);
      created = true;
    }
    if (created) this.ctx.groups.rebalanceAll();
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    this.ctx.ensureOpen();
    for (const n of names) this.ctx.topics.get(n);
    for (const n of names) {
      this.ctx.topics.delete(n);
      this.ctx.offsets.deleteTopic(n);
    }
    this.ctx.groups.rebalanceAll();
  }

  async listTopics(): Promise<string[]> {
    this.ctx.ensureOpen();
    return [...this.ctx.topics.topics.keys()].sort();
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    this.ctx.ensureOpen();
    return names.map((n) => {
      const t = this.ctx.topics.get(n);
      return { name: t.name, partitions: t.partitions, replicationFactor: 1, config: effectiveConfig(t.config) };
    });
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    this.ctx.ensureOpen();
    return this.ctx.topics.get(topic).logs.map((l) => ({ partition: l.partition, earliest: l.logStartOffset, latest: l.endOffset }));
  }

  async fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    this.ctx.ensureOpen();
    if (topics !== undefined) for (const t of topics) validateTopicName(t);
    return this.ctx.offsets.list(groupId, topics);
  }

  async close(): Promise<void> {
    // The admin owns no resources; the backend's close() releases the log.
  }
}
