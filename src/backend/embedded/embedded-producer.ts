import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { LogProducer, PartitionAppend, ProducerOptions, ProducerRecord, TopicPartitionOffset } from '../backend-types.js';
import { partitionForKey } from '../partitioner.js';
import type { EmbeddedContext } from './embedded-context.js';
import type { PartitionLog } from './partition-log.js';
import { validateRecord } from './record-validation.js';
import type { TopicState } from './topic-registry.js';

type ProducerState = 'ready' | 'in-transaction' | 'fenced' | 'closed';

/**
 * Producer of the embedded log. One send() writes one batch (one Buffer, one write) per partition
 * touched. A transactional producer stamps its batches with the transaction's producer id.
 */
export class EmbeddedProducer implements LogProducer {
  readonly transactional: boolean;
  private readonly ctx: EmbeddedContext;
  private readonly transactionalId: string | undefined;
  private state: ProducerState = 'ready';
  private pid = -1;
  private readonly txnPartitions = new Set<PartitionLog>();
  private readonly txnOffsets = new Map<string, Map<string, TopicPartitionOffset>>();
  /** Round-robin counters for null-key records, per topic. */
  private readonly roundRobin = new Map<string, number>();

  constructor(ctx: EmbeddedContext, opts: ProducerOptions) {
    this.ctx = ctx;
    this.transactionalId = opts.transactionalId;
    this.transactional = opts.transactionalId !== undefined;
    if (opts.transactionalId !== undefined) ctx.txns.register(opts.transactionalId, this);
  }

  private check(op: string): void {
    this.ctx.ensureOpen();
    if (this.state === 'closed') {
      throw new StreamwrightError('LOG_CLOSED', `Cannot ${op}: this producer is closed. Create a new producer.`, {});
    }
    if (this.state === 'fenced') {
      throw new StreamwrightError(
        'TRANSACTION_FENCED',
        `Cannot ${op}: producer with transactionalId "${this.transactionalId}" was fenced by a newer producer with the same id; its open transaction was aborted. Close this producer; only the newest instance may write.`,
        { transactionalId: this.transactionalId },
      );
    }
  }

  private requireTransaction(op: string, inTxn: boolean): void {
    if (!this.transactional) {
      throw new StreamwrightError(
        'TRANSACTION_STATE',
        `Cannot ${op}: this producer is not transactional. Create it with a transactionalId to use transactions.`,
        {},
      );
    }
    if ((this.state === 'in-transaction') !== inTxn) {
      throw new StreamwrightError(
        'TRANSACTION_STATE',
        inTxn
          ? `Cannot ${op}: no transaction is in progress for transactionalId "${this.transactionalId}". Call beginTransaction() first.`
          : `Cannot ${op}: a transaction is already in progress for transactionalId "${this.transactionalId}". Commit or abort it first.`,
        { transactionalId: this.transactionalId },
      );
    }
  }

  async send(records: readonly ProducerRecord[]): Promise<PartitionAppend[]> {
    this.check('send');
    if (this.transactional) this.requireTransaction('send', true);
    const groups = this.route(records);
    const out: PartitionAppend[] = [];
    const pid = this.transactional ? this.pid : -1;
    for (const [log, indices] of groups) {
      const base = log.appendRecords(records, indices, indices.length, pid);
      out.push({ topic: log.topic, partition: log.partition, baseOffset: base, lastOffset: base + indices.length - 1 });
      if (pid >= 0) this.txnPartitions.add(log);
    }
    if (out.length > 0) this.ctx.notifier.notify();
    const ack = this.ctx.flusher.ack();
    if (ack !== undefined) await ack;
    return out;
  }

  /** Validates every record and groups record indices by partition (first-touched order). */
  private route(records: readonly ProducerRecord[]): Map<PartitionLog, number[]> {
    const groups = new Map<PartitionLog, number[]>();
    let lastTopic = '';
    let topic: TopicState | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      validateRecord(r, i);
      if (topic === undefined || r.topic !== lastTopic) {
        topic = this.ctx.topics.get(r.topic);
        lastTopic = r.topic;
      }
      let log: PartitionLog;
      if (r.partition !== undefined) log = this.ctx.topics.partition(r.topic, r.partition);
      else if (r.key !== null) log = topic.logs[partitionForKey(r.key, topic.partitions)];
      else {
        const n = this.roundRobin.get(r.topic) ?? 0;
        this.roundRobin.set(r.topic, n + 1);
        log = topic.logs[n % topic.partitions];
      }
      const g = groups.get(log);
      if (g === undefined) groups.set(log, [i]);
      else g.push(i);
    }
    return groups;
  }

  async beginTransaction(): Promise<void> {
    this.check('beginTransaction');
    this.requireTransaction('beginTransaction', false);
    this.pid = this.ctx.txns.allocate();
    this.state = 'in-transaction';
  }

  async sendOffsetsToTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.check('sendOffsetsToTransaction');
    this.requireTransaction('sendOffsetsToTransaction', true);
    let g = this.txnOffsets.get(groupId);
    if (g === undefined) {
      g = new Map();
      this.txnOffsets.set(groupId, g);
    }
    for (const o of offsets) {
      this.ctx.topics.partition(o.topic, o.partition);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new StreamwrightError(
          'OFFSET_OUT_OF_RANGE',
          `Invalid offset ${o.offset} for topic "${o.topic}" partition ${o.partition} in sendOffsetsToTransaction: commit the next offset to read, an integer >= 0.`,
          { topic: o.topic, partition: o.partition, offset: o.offset },
        );
      }
      g.set(`${o.topic}:${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset });
    }
  }

  async commitTransaction(): Promise<void> {
    this.check('commitTransaction');
    this.requireTransaction('commitTransaction', true);
    try {
      this.ctx.txns.commit(this.transactionalId!, this.pid, this.txnPartitions, this.txnOffsets);
    } finally {
      this.endTransaction();
    }
    this.ctx.notifier.notify();
    const ack = this.ctx.flusher.ack();
    if (ack !== undefined) await ack;
  }

  async abortTransaction(): Promise<void> {
    this.check('abortTransaction');
    this.requireTransaction('abortTransaction', true);
    this.abortOpen();
    const ack = this.ctx.flusher.ack();
    if (ack !== undefined) await ack;
  }

  private abortOpen(): void {
    try {
      this.ctx.txns.abort(this.pid, this.txnPartitions);
    } finally {
      this.endTransaction();
    }
    this.ctx.notifier.notify();
  }

  private endTransaction(): void {
    this.state = 'ready';
    this.pid = -1;
    this.txnPartitions.clear();
    this.txnOffsets.clear();
  }

  /** Called when a newer producer registers the same transactionalId. */
  fence(): void {
    if (this.state === 'in-transaction') this.abortOpen();
    if (this.state !== 'closed') this.state = 'fenced';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'in-transaction') this.abortOpen();
    this.state = 'closed';
    if (this.transactionalId !== undefined) this.ctx.txns.unregister(this.transactionalId, this);
  }
}
