import type { SinkNode } from '../../graph/nodes/sink-node.js';
import type { Serializer } from '../../graph/serde-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/** Serializes records and hands them to the task's collector. */
export class SinkOperator extends BaseOperator {
  private keySerializer!: Serializer<unknown>;
  private valueSerializer!: Serializer<unknown>;
  private topic: string | undefined;
  /** Reused metadata object for topic extractors (no allocation per record). */
  private readonly meta = { topic: '', partition: -1, offset: -1, timestamp: 0 };

  constructor(private readonly node: SinkNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const key = this.node.keySerde ?? ctx.defaultKeySerde;
    const value = this.node.valueSerde ?? ctx.defaultValueSerde;
    if (!key || !value) {
      throw new StreamwrightError(
        'SERDE_MISSING',
        `Sink "${this.node.name}" (topic: ${this.node.topic ?? 'chosen per record'}) has no ${key ? 'value' : 'key'} serde. Pass { keySerde, valueSerde } to ${this.node.internal ? "repartition() (or the grouping/join that needs it)" : "to()"}, or set default.key.serde / default.value.serde.`,
        { node: this.node.name },
      );
    }
    this.keySerializer = key;
    this.valueSerializer = value;
    this.topic = this.node.topic === undefined ? undefined : ctx.resolveTopic(this.node.topic, this.node.internal);
  }

  process(batch: RecordBatch): void {
    const ctx = this.ctx;
    const collector = ctx.collector;
    const partitioner = this.node.partitioner;
    const keySerializer = this.keySerializer;
    const valueSerializer = this.valueSerializer;
    const fixedTopic = this.topic;
    const keys = batch.keys;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const headers = batch.headers;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        const key = keys[i];
        const value = values[i];
        const topic = fixedTopic ?? this.extractTopic(batch, i);
        let partition: number | undefined;
        if (partitioner !== undefined) {
          const count = ctx.partitionsFor(topic);
          if (count !== undefined) partition = partitioner(topic, key, value, count);
        }
        collector.send(topic, partition, keySerializer.serialize(topic, key), valueSerializer.serialize(topic, value), timestamps[i], headers[i]);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
  }

  private extractTopic(batch: RecordBatch, i: number): string {
    const meta = this.meta;
    meta.topic = batch.topic;
    meta.partition = batch.partition;
    meta.offset = batch.offsets[i];
    meta.timestamp = batch.timestamps[i];
    const topic = this.node.topicExtractor!(batch.keys[i], batch.values[i], meta);
    if (typeof topic !== 'string' || topic.length === 0) {
      throw new StreamwrightError('TOPIC_INVALID_NAME', `The topic extractor of sink "${this.name}" returned ${JSON.stringify(topic)}; it must return a topic name.`, { node: this.name });
    }
    return topic;
  }
}
