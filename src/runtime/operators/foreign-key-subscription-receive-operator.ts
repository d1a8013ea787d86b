import { SubscriptionInstruction, type SubscriptionResponse, type SubscriptionWrapper } from '../../graph/foreign-key-wrapper.js';
import type { ForeignKeySubscriptionReceiveNode } from '../../graph/nodes/foreign-key-subscription-receive-node.js';
import type { Serde } from '../../graph/serde-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { indexOf, type SubscriptionIndex } from './foreign-key-subscription-index.js';
import { serdeOrDefault, toBytes } from './foreign-key-serdes.js';

/**
 * Right side of a foreign-key join, fed by the registration topic: records or removes the
 * subscription under (foreign key, left key), then answers with the right table's current value
 * (Kafka Streams' SubscriptionReceiveProcessorSupplier + SubscriptionJoinProcessorSupplier).
 * The response's timestamp is the larger of the subscription's and the right value's, or the
 * subscription's when there is no right value.
 */
export class ForeignKeySubscriptionReceiveOperator extends BaseOperator {
  private index!: SubscriptionIndex;
  private rightStore!: KeyValueStore<unknown, unknown>;
  private foreignKeySerde!: Serde<unknown>;
  private foreignValueSerde!: Serde<unknown>;
  private droppedNull!: { value: number };

  constructor(private readonly node: ForeignKeySubscriptionReceiveNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const n = this.node;
    this.index = indexOf(ctx.getStateStore(n.subscriptionStore) as KeyValueStore<unknown, unknown>);
    this.rightStore = ctx.getStateStore(n.rightStore) as KeyValueStore<unknown, unknown>;
    this.foreignKeySerde = serdeOrDefault(n.foreignKeySerde, ctx.defaultKeySerde, n.name, 'foreign key (the right table key)');
    this.foreignValueSerde = serdeOrDefault(n.foreignValueSerde, ctx.defaultValueSerde, n.name, 'right value');
    this.droppedNull = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: n.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const name = this.node.name;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const fk = batch.keys[i];
        const w = batch.values[i] as SubscriptionWrapper | null;
        if (fk === null || fk === undefined || w === null || w === undefined) {
          this.droppedNull.value++;
          continue;
        }
        const ts = batch.timestamps[i];
        const fkBytes = toBytes(this.foreignKeySerde, fk, name, 'foreign key');
        const deleting = w.instruction === SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE || w.instruction === SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE;
        if (deleting) this.index.unsubscribe(fkBytes, w.leftKey, ts);
        else this.index.subscribe(fkBytes, w.leftKey, w.hash, w.partition, ts);
        if (w.instruction === SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE) continue;
        const found = this.rightStore.getWithTimestamp(fk);
        const right = deleting || found === undefined ? undefined : found.value;
        if (right === undefined && w.instruction === SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE) continue;
        const foreignValue = right === undefined || right === null ? null : toBytes(this.foreignValueSerde, right, name, 'right value');
        const response: SubscriptionResponse = { hash: w.hash, foreignValue, partition: w.partition };
        out.push(w.leftKey, response, found === undefined ? ts : Math.max(ts, found.timestamp), batch.offsets[i], batch.headers[i]);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
