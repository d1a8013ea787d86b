import { SubscriptionInstruction, type SubscriptionInstructionCode, type SubscriptionResponse, type SubscriptionWrapper } from '../../graph/foreign-key-wrapper.js';
import type { ForeignKeySubscriptionSendNode } from '../../graph/nodes/foreign-key-subscription-send-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { Serde } from '../../graph/serde-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator, type Operator } from '../operator.js';
import { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { serdeOrDefault, toBytes, valueHash } from './foreign-key-serdes.js';

/**
 * Left side of a foreign-key join: turns each left-table update into subscriptions (to the
 * registration sink) or, when no right value is needed, into a local response (to the response
 * join). Instructions follow Kafka Streams' SubscriptionSendProcessorSupplier:
 *  - foreign key changed (or gone): DELETE_KEY_NO_PROPAGATE to the old foreign key;
 *  - new foreign key: PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE when a result may have to be unset
 *    (an update, or any leftJoin), else PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE;
 *  - deleted row or null foreign key: resolved locally (result null, or joiner(value, null) in a leftJoin).
 */
export class ForeignKeySubscriptionSendOperator extends BaseOperator {
  private readonly local = new RecordBatch();
  private registration: Operator | undefined;
  private resolver: Operator | undefined;
  private ownStore: KeyValueStore<unknown, unknown> | undefined;
  private leftKeySerde!: Serde<unknown>;
  private leftValueSerde!: Serde<unknown>;
  private foreignKeySerde!: Serde<unknown>;
  private droppedNull!: { value: number };

  constructor(private readonly node: ForeignKeySubscriptionSendNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const n = this.node;
    this.registration = this.children.find((c) => c.name === n.registrationSink);
    this.resolver = this.children.find((c) => c.name === n.responseJoin);
    if (n.ownLeftStore !== undefined) this.ownStore = ctx.getStateStore(n.ownLeftStore) as KeyValueStore<unknown, unknown>;
    this.leftKeySerde = serdeOrDefault(n.leftKeySerde, ctx.defaultKeySerde, n.name, 'left key');
    this.leftValueSerde = serdeOrDefault(n.leftValueSerde, ctx.defaultValueSerde, n.name, 'left value');
    this.foreignKeySerde = serdeOrDefault(n.foreignKeySerde, ctx.defaultKeySerde, n.name, 'foreign key (the right table key)');
    this.droppedNull = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: n.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    const reg = this.begin(batch);
    const local = this.local;
    local.clear();
    local.topic = batch.topic;
    local.partition = batch.partition;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) this.processOne(batch, i, reg, local);
    } catch (err) {
      this.fail(batch, i, err);
    }
    if (reg.length > 0 && this.registration !== undefined) this.registration.process(reg);
    reg.clear();
    if (local.length > 0 && this.resolver !== undefined) this.resolver.process(local);
    local.clear();
  }

  private processOne(batch: RecordBatch, i: number, reg: RecordBatch, local: RecordBatch): void {
    const key = batch.keys[i];
    if (key === null || key === undefined) {
      this.droppedNull.value++;
      return;
    }
    const change = batch.values[i] as Change<unknown>;
    const ts = batch.timestamps[i];
    const newValue = change.newValue ?? null;
    const oldValue = change.oldValue ?? null;
    if (this.ownStore !== undefined) {
      if (newValue !== null) this.ownStore.put(key, newValue, ts);
      else if (this.ownStore.get(key) !== undefined) this.ownStore.delete(key, ts);
    }
    if (newValue === null && oldValue === null) return;
    const { extractor, leftJoin, name } = this.node;
    const oldFk = oldValue === null ? null : (extractor(oldValue, key) ?? null);
    const newFk = newValue === null ? null : (extractor(newValue, key) ?? null);
    const oldFkBytes = oldFk === null ? null : toBytes(this.foreignKeySerde, oldFk, name, 'foreign key');
    const newFkBytes = newFk === null ? null : toBytes(this.foreignKeySerde, newFk, name, 'foreign key');
    const hash = newValue === null ? null : valueHash(toBytes(this.leftValueSerde, newValue, name, 'left value'));
    const partition = this.ctx.partition;
    if (oldFkBytes !== null && (newFkBytes === null || !oldFkBytes.equals(newFkBytes))) {
      this.subscribe(reg, batch, i, oldFk, SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE, hash, key, partition);
    }
    if (newFkBytes !== null) {
      const instruction = leftJoin || oldValue !== null ? SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE : SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE;
      this.subscribe(reg, batch, i, newFk, instruction, hash, key, partition);
    } else if (leftJoin || oldValue !== null) {
      // Deleted, or no foreign key: the result does not depend on the right side.
      local.pushFrom(batch, i, key, { hash, foreignValue: null, partition } satisfies SubscriptionResponse);
    }
  }

  private subscribe(reg: RecordBatch, batch: RecordBatch, i: number, fk: unknown, instruction: SubscriptionInstructionCode, hash: Buffer | null, key: unknown, partition: number): void {
    const leftKey = toBytes(this.leftKeySerde, key, this.node.name, 'left key');
    reg.pushFrom(batch, i, fk, { instruction, hash, leftKey, partition } satisfies SubscriptionWrapper);
  }

  override close(): void {
    super.close();
    this.local.release();
  }
}
