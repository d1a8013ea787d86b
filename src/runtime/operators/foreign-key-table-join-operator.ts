import type { SubscriptionResponse } from '../../graph/foreign-key-wrapper.js';
import type { ForeignKeyTableJoinNode } from '../../graph/nodes/foreign-key-table-join-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { Serde } from '../../graph/serde-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { indexOf, type SubscriptionIndex } from './foreign-key-subscription-index.js';
import { serdeOrDefault, toBytes } from './foreign-key-serdes.js';

/**
 * Right side of a foreign-key join, fed by the right table's updates (Kafka Streams'
 * ForeignTableJoinProcessorSupplier): answers every subscription to the updated key with the new
 * right value (null for a delete), each with the hash it subscribed with.
 */
export class ForeignKeyTableJoinOperator extends BaseOperator {
  private index!: SubscriptionIndex;
  private ownStore: KeyValueStore<unknown, unknown> | undefined;
  private foreignKeySerde!: Serde<unknown>;
  private foreignValueSerde!: Serde<unknown>;

  constructor(private readonly node: ForeignKeyTableJoinNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const n = this.node;
    this.index = indexOf(ctx.getStateStore(n.subscriptionStore) as KeyValueStore<unknown, unknown>);
    if (n.ownRightStore !== undefined) this.ownStore = ctx.getStateStore(n.ownRightStore) as KeyValueStore<unknown, unknown>;
    this.foreignKeySerde = serdeOrDefault(n.foreignKeySerde, ctx.defaultKeySerde, n.name, 'foreign key (the right table key)');
    this.foreignValueSerde = serdeOrDefault(n.foreignValueSerde, ctx.defaultValueSerde, n.name, 'right value');
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const name = this.node.name;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const fk = batch.keys[i];
        if (fk === null || fk === undefined) continue;
        const change = batch.values[i] as Change<unknown>;
        const newValue = change.newValue ?? null;
        if (this.ownStore !== undefined) {
          if (newValue !== null) this.ownStore.put(fk, newValue, batch.timestamps[i]);
          else if (this.ownStore.get(fk) !== undefined) this.ownStore.delete(fk, batch.timestamps[i]);
        }
        if (newValue === null && (change.oldValue ?? null) === null) continue;
        const subscribers = this.index.subscribersOf(toBytes(this.foreignKeySerde, fk, name, 'foreign key'));
        if (subscribers === undefined) continue;
        const foreignValue = newValue === null ? null : toBytes(this.foreignValueSerde, newValue, name, 'right value');
        for (const s of subscribers.values()) out.pushFrom(batch, i, s.leftKey, { hash: s.hash, foreignValue, partition: s.partition } satisfies SubscriptionResponse);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
