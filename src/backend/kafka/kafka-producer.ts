import type { Kafka, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import type { LogProducer, PartitionAppend, ProducerOptions, ProducerRecord, TopicPartitionOffset } from '../backend-types.js';
import { partitionForKey } from '../partitioner.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { toStreamwrightError } from './kafka-errors.js';
import { toKafkaMessage } from './kafka-record-mapper.js';
import type { TopicMetadataCache } from './kafka-topic-metadata.js';

/** Records of one send grouped per topic, with per-partition counts in first-touched order. */
interface SendPlan {
  readonly topicMessages: { topic: string; messages: Message[] }[];
  /** "topic\u0000partition" -> record count, insertion order = first touched. */
  readonly counts: Map<string, number>;
}

/**
 * LogProducer on a kafkajs producer. Partitions are chosen here with our murmur2 partitioner (round
 * robin for null keys) so both backends place keys identically; kafkajs only transports.
 *
 * Transactional producers use kafkajs `producer.transaction()`: kafkajs always sends transactional
 * records idempotently (its transaction path forces it), with maxInFlightRequests 1. The kafkajs
 * `idempotent` flag is left off for them because it only governs non-transactional sends, which a
 * transactional LogProducer refuses, and it asks the controller for a producer id at connect.
 */
export class KafkaLogProducer implements LogProducer {
  readonly transactional: boolean;
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;
  private txn: Transaction | undefined;
  private txnFailed: StreamwrightError | undefined;
  private fenced: StreamwrightError | undefined;
  private closed = false;
  private readonly roundRobin = new Map<string, number>();

  constructor(
    kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly opts: ProducerOptions,
    private readonly metadata: TopicMetadataCache,
    private readonly onClose: (p: KafkaLogProducer) => void,
  ) {
    this.transactional = opts.transactionalId !== undefined;
    if (opts.transactionalId !== undefined && opts.transactionalId.length === 0) {
      throw new StreamwrightError('CONFIG_INVALID', 'ProducerOptions.transactionalId must be a non-empty string; omit it for a non-transactional producer.', {});
    }
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: this.transactional ? false : config.enableIdempotence,
      transactionalId: opts.transactionalId,
      transactionTimeout: config.transactionTimeoutMs,
      maxInFlightRequests: this.transactional || config.enableIdempotence ? 1 : undefined,
      retry: this.transactional || config.enableIdempotence ? { retries: Math.max(config.retries, 10) } : undefined,
      // Partitions are always set explicitly; this only silences kafkajs's partitioner warning.
      createPartitioner: () => ({ message }) => message.partition ?? 0,
    });
  }

  private ctx(action: string, extra: { topic?: string; partition?: number; groupId?: string } = {}) {
    return { bootstrapServers: this.config.bootstrapServers, action, transactionalId: this.opts.transactionalId, ...extra };
  }

  private async ensureOpen(action: string): Promise<void> {
    if (this.closed) {
      throw new StreamwrightError('LOG_CLOSED', `Producer${this.opts.transactionalId ? ` ${this.opts.transactionalId}` : ''} is closed; cannot ${action}. Create a new producer.`, {});
    }
    if (this.fenced !== undefined) throw this.fenced;
    if (this.connecting === undefined) {
      this.connecting = this.producer.connect();
      this.connecting.catch(() => (this.connecting = undefined));
    }
    try {
      await this.connecting;
    } catch (e) {
      throw toStreamwrightError(e, this.ctx('connecting the producer'));
    }
  }

  private fail(e: unknown, action: string, extra: { topic?: string; groupId?: string } = {}): StreamwrightError {
    const err = toStreamwrightError(e, this.ctx(action, extra));
    if (err.code === 'TRANSACTION_FENCED') this.fenced = err;
    return err;
  }

  private async plan(records: readonly ProducerRecord[]): Promise<SendPlan> {
    const topics: string[] = [];
    const perTopic = new Map<string, Message[]>();
    for (let i = 0; i < records.length; i++) {
      const t = records[i].topic;
      if (!perTopic.has(t)) {
        perTopic.set(t, []);
        topics.push(t);
      }
    }
    const counts = await this.metadata.partitionCounts(topics);
    const touched = new Map<string, number>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const n = counts.get(r.topic)!;
      let p: number;
      if (r.partition !== undefined) {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= n) {
          throw new StreamwrightError(
            'PARTITION_NOT_FOUND',
            `Record ${i} targets partition ${r.partition} of topic ${r.topic}, which has partitions 0..${n - 1}. Omit the partition to use the key's partition, or add partitions to the topic.`,
            { topic: r.topic, partition: r.partition, partitions: n },
          );
        }
        p = r.partition;
      } else if (r.key !== null) {
        p = partitionForKey(r.key, n);
      } else {
        const next = this.roundRobin.get(r.topic) ?? 0;
        this.roundRobin.set(r.topic, next + 1);
        p = next % n;
      }
      if (!Number.isFinite(r.timestamp)) {
        throw new StreamwrightError('SERIALIZATION', `Record ${i} for topic ${r.topic} has timestamp ${r.timestamp}; timestamps are epoch milliseconds.`, { topic: r.topic });
      }
      if (r.headers !== undefined) {
        for (const h of r.headers) {
          if (h.value === null) {
            throw new StreamwrightError(
              'SERIALIZATION',
              `Record ${i} for ${r.topic}-${p} has header ${JSON.stringify(h.key)} with a null value, which kafkajs 2.2.4 cannot encode. Use an empty Buffer or drop the header.`,
              { topic: r.topic, partition: p, header: h.key },
            );
          }
        }
      }
      perTopic.get(r.topic)!.push(toKafkaMessage(r, p));
      const key = `${r.topic}\u0000${p}`;
      touched.set(key, (touched.get(key) ?? 0) + 1);
    }
    return { topicMessages: topics.map((topic) => ({ topic, messages: perTopic.get(topic)! })), counts: touched };
  }

  async send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]> {
    await this.ensureOpen('send records');
    if (this.transactional && this.txn === undefined) {
      throw new StreamwrightError(
        'TRANSACTION_STATE',
        `Transactional producer ${this.opts.transactionalId} sent records outside a transaction. Call beginTransaction() first.`,
        { transactionalId: this.opts.transactionalId },
      );
    }
    if (records.length === 0) return [];
    const plan = await this.plan(records);
    let meta: RecordMetadata[];
    try {
      meta = this.txn !== undefined
        ? await this.txn.sendBatch({ topicMessages: plan.topicMessages, acks: -1 })
        : await this.producer.sendBatch({ topicMessages: plan.topicMessages, acks: -1 });
    } catch (e) {
      const err = this.fail(e, 'sending records', { topic: plan.topicMessages.length === 1 ? plan.topicMessages[0].topic : undefined });
      if (err.code === 'TOPIC_NOT_FOUND') for (const tm of plan.topicMessages) this.metadata.invalidate(tm.topic);
      if (this.txn !== undefined && this.txnFailed === undefined) this.txnFailed = err;
      throw err;
    }
    return toPartitionAppends(plan.counts, meta);
  }

  async beginTransaction(): Promise<void> {
    this.requireTransactional('beginTransaction');
    await this.ensureOpen('begin a transaction');
    if (this.txn !== undefined) {
      throw new StreamwrightError('TRANSACTION_STATE', `Producer ${this.opts.transactionalId} already has an open transaction. Commit or abort it before beginning another.`, { transactionalId: this.opts.transactionalId });
    }
    try {
      this.txn = await this.producer.transaction();
      this.txnFailed = undefined;
    } catch (e) {
      throw this.fail(e, 'beginning a transaction');
    }
  }

  async sendOffsetsToTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const txn = await this.openTxn('sendOffsetsToTransaction');
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      if (!Number.isInteger(o.offset) || o.offset < 0) {
        throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `Offset ${o.offset} for ${o.topic}-${o.partition} cannot be committed; a committed offset is the next offset to read, >= 0.`, { topic: o.topic, partition: o.partition, offset: o.offset });
      }
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    try {
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
    } catch (e) {
      const err = this.fail(e, 'adding offsets to the transaction', { groupId });
      this.txnFailed ??= err;
      throw err;
    }
  }

  async commitTransaction(): Promise<void> {
    const txn = await this.openTxn('commitTransaction');
    if (this.txnFailed !== undefined) {
      throw new StreamwrightError(
        'TRANSACTION_STATE',
        `Transaction of producer ${this.opts.transactionalId} cannot commit because an earlier step failed (${this.txnFailed.message}). Call abortTransaction() and redo the work.`,
        { transactionalId: this.opts.transactionalId },
        { cause: this.txnFailed },
      );
    }
    try {
      await txn.commit();
      this.txn = undefined;
    } catch (e) {
      const err = this.fail(e, 'committing the transaction');
      this.txnFailed ??= err;
      throw err;
    }
  }

  async abortTransaction(): Promise<void> {
    const txn = await this.openTxn('abortTransaction');
    try {
      await txn.abort();
    } catch (e) {
      throw this.fail(e, 'aborting the transaction');
    } finally {
      this.txn = undefined;
      this.txnFailed = undefined;
    }
  }

  private requireTransactional(op: string): void {
    if (!this.transactional) {
      throw new StreamwrightError('TRANSACTION_STATE', `${op}() needs a transactional producer; create it with { transactionalId }.`, {});
    }
  }

  private async openTxn(op: string): Promise<Transaction> {
    this.requireTransactional(op);
    await this.ensureOpen(op);
    if (this.txn === undefined) {
      throw new StreamwrightError('TRANSACTION_STATE', `${op}() without an open transaction on producer ${this.opts.transactionalId}. Call beginTransaction() first.`, { transactionalId: this.opts.transactionalId });
    }
    return this.txn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    const txn = this.txn;
    this.txn = undefined;
    try {
      // Kafka aborts an open transaction when its producer goes away; doing it now frees readers sooner.
      if (txn !== undefined && this.fenced === undefined && txn.isActive()) await txn.abort();
    } catch {
      // The coordinator aborts it at transaction.timeout.ms anyway.
    } finally {
      await this.producer.disconnect();
    }
  }
}

/** kafkajs gives one RecordMetadata per partition with its base offset; we know each partition's count. */
export function toPartitionAppends(counts: ReadonlyMap<string, number>, meta: readonly RecordMetadata[]): PartitionAppend[] {
  const base = new Map<string, number>();
  for (const m of meta) base.set(`${m.topicName}\u0000${m.partition}`, Number(m.baseOffset));
  const out: PartitionAppend[] = [];
  for (const [key, count] of counts) {
    const sep = key.indexOf('\u0000');
    const topic = key.slice(0, sep);
    const partition = Number(key.slice(sep + 1));
    const b = base.get(key);
    if (b === undefined || !Number.isFinite(b) || b < 0) {
      throw new StreamwrightError(
        'BACKEND',
        `Kafka acknowledged the send but returned no base offset for ${topic}-${partition} (acks=all). The records may be written; check the partition's end offset before retrying.`,
        { topic, partition },
      );
    }
    out.push({ topic, partition, baseOffset: b, lastOffset: b + count - 1 });
  }
  return out;
}
