import kafkajs, { type Admin, type Kafka } from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader exposes only some of its exports as named imports;
// ConfigResourceTypes is not among them, so it is read from the default export.
const { ConfigResourceTypes } = kafkajs;
import type { LogAdmin, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../backend-types.js';
import { validateTopicName } from '../topic-name.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { kafkaErrorChain, toStreamwrightError } from './kafka-errors.js';

const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/** LogAdmin on a kafkajs admin client, connected on first use. */
export class KafkaLogAdmin implements LogAdmin {
  private readonly admin: Admin;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly onClose: (a: KafkaLogAdmin) => void,
  ) {
    this.admin = kafka.admin({ retry: { retries: config.retries, initialRetryTime: config.retryBackoffMs, maxRetryTime: config.retryBackoffMaxMs } });
  }

  private ctx(action: string, topic?: string) {
    return { bootstrapServers: this.config.bootstrapServers, action, topic };
  }

  private async client(): Promise<Admin> {
    if (this.closed) throw new StreamwrightError('LOG_CLOSED', 'Kafka admin client is closed; get a new one from backend.admin().', {});
    if (this.connecting === undefined) {
      this.connecting = this.admin.connect();
      this.connecting.catch(() => (this.connecting = undefined));
    }
    try {
      await this.connecting;
    } catch (e) {
      throw toStreamwrightError(e, this.ctx('connecting the admin client'));
    }
    return this.admin;
  }

  async createTopics(specs: readonly TopicSpec[], opts?: { readonly ifNotExists?: boolean }): Promise<void> {
    for (const s of specs) {
      validateTopicName(s.name);
      if (!Number.isInteger(s.partitions) || s.partitions < 1) {
        throw new StreamwrightError('CONFIG_INVALID', `Topic ${s.name}: partitions must be an integer >= 1, got ${s.partitions}.`, { topic: s.name });
      }
      if (s.replicationFactor !== undefined && (!Number.isInteger(s.replicationFactor) || s.replicationFactor < 1)) {
        throw new StreamwrightError('CONFIG_INVALID', `Topic ${s.name}: replicationFactor must be an integer >= 1, got ${s.replicationFactor}.`, { topic: s.name });
      }
    }
    if (specs.length === 0) return;
    const admin = await this.client();
    const existing = new Set(await this.listTopics());
    const todo: TopicSpec[] = [];
    for (const s of specs) {
      if (!existing.has(s.name)) todo.push(s);
      else if (!opts?.ifNotExists) {
        throw new StreamwrightError('TOPIC_EXISTS', `Topic ${s.name} already exists at Kafka ${this.config.bootstrapServers}. Use it as is, delete it first, or pass { ifNotExists: true }.`, { topic: s.name });
      }
    }
    if (todo.length === 0) return;
    let created: boolean;
    try {
      created = await admin.createTopics({
        waitForLeaders: true,
        topics: todo.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? -1,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (e) {
      const err = toStreamwrightError(e, this.ctx(`creating topic${todo.length > 1 ? 's' : ''} ${todo.map((s) => s.name).join(', ')}`, todo.length === 1 ? todo[0].name : undefined));
      if (err.code === 'TOPIC_EXISTS' && opts?.ifNotExists) return;
      throw err;
    }
    if (!created && !opts?.ifNotExists) {
      throw new StreamwrightError('TOPIC_EXISTS', `Topic ${todo.map((s) => s.name).join(', ')} was created concurrently by another client at Kafka ${this.config.bootstrapServers}. Pass { ifNotExists: true } to accept it.`, { topics: todo.map((s) => s.name) });
    }
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    for (const n of names) validateTopicName(n);
    if (names.length === 0) return;
    const admin = await this.client();
    const existing = new Set(await this.listTopics());
    for (const n of names) {
      if (!existing.has(n)) throw new StreamwrightError('TOPIC_NOT_FOUND', `Cannot delete topic ${n}: it does not exist at Kafka ${this.config.bootstrapServers}. Check the name with listTopics().`, { topic: n });
    }
    try {
      await admin.deleteTopics({ topics: [...names] });
    } catch (e) {
      throw toStreamwrightError(e, this.ctx(`deleting ${names.join(', ')}`, names.length === 1 ? names[0] : undefined));
    }
  }

  async listTopics(): Promise<string[]> {
    const admin = await this.client();
    try {
      return (await admin.listTopics()).filter((t) => !INTERNAL_TOPICS.has(t)).sort();
    } catch (e) {
      throw toStreamwrightError(e, this.ctx('listing topics'));
    }
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    const admin = await this.client();
    const existing = new Set(await this.listTopics());
    for (const n of names) {
      if (!existing.has(n)) throw new StreamwrightError('TOPIC_NOT_FOUND', `Topic ${n} not found at Kafka ${this.config.bootstrapServers}. Create it first or check the name with listTopics().`, { topic: n });
    }
    let meta: Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
    try {
      meta = await admin.fetchTopicMetadata({ topics: [...names] });
    } catch (e) {
      throw toStreamwrightError(e, this.ctx(`describing ${names.join(', ')}`));
    }
    const configs = await this.topicConfigs(admin, names);
    return names.map((name) => {
      const m = meta.topics.find((t) => t.name === name)!;
      return { name, partitions: m.partitions.length, replicationFactor: m.partitions[0]?.replicas.length ?? 0, config: configs.get(name) ?? {} };
    });
  }

  /** Explicitly set (non-default) configs per topic. Brokers that cannot answer DescribeConfigs
   * (no reachable controller, e.g. librdkafka's mock cluster) yield {} rather than failing describe. */
  private async topicConfigs(admin: Admin, names: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    try {
      const res = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
      for (const r of res.resources) {
        const cfg: Record<string, string> = {};
        for (const e of r.configEntries) if (!e.isDefault && e.configValue !== null) cfg[e.configName] = e.configValue;
        out.set(r.resourceName, cfg);
      }
    } catch (e) {
      const unsupported = kafkaErrorChain(e).some((x) => x.name === 'KafkaJSBrokerNotFound' || x.type === 'UNSUPPORTED_VERSION');
      if (!unsupported) throw toStreamwrightError(e, this.ctx(`reading configs of ${names.join(', ')}`));
      this.config.logger?.log('warn', `DescribeConfigs unavailable at ${this.config.bootstrapServers}; topic configs reported as {}`, {});
    }
    return out;
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    validateTopicName(topic);
    const admin = await this.client();
    if (!(await this.listTopics()).includes(topic)) {
      throw new StreamwrightError('TOPIC_NOT_FOUND', `Topic ${topic} not found at Kafka ${this.config.bootstrapServers}. Create it first or check the name with listTopics().`, { topic });
    }
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, earliest: Number(o.low), latest: Number(o.high) })).sort((a, b) => a.partition - b.partition);
    } catch (e) {
      throw toStreamwrightError(e, this.ctx('listing offsets', topic));
    }
  }

  async fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    const admin = await this.client();
    try {
      const res = await admin.fetchOffsets({ groupId, topics: topics === undefined ? undefined : [...topics] });
      const out: TopicPartitionOffset[] = [];
      for (const t of res) for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition, offset: Number(p.offset) < 0 ? -1 : Number(p.offset) });
      return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    } catch (e) {
      throw toStreamwrightError(e, { ...this.ctx('reading committed offsets'), groupId });
    }
  }

  /** The shared kafkajs client, for the backend's own metadata and committed-offset lookups. */
  async raw(): Promise<Admin> {
    return this.client();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    await this.admin.disconnect();
  }
}
