import type { SubscriptionResponse } from '../../graph/foreign-key-wrapper.js';
import type { ForeignKeyResponseJoinNode } from '../../graph/nodes/foreign-key-response-join-node.js';
import type { Serde } from '../../graph/serde-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';
import { sameHash, serdeOrDefault, toBytes, valueHash } from './foreign-key-serdes.js';

/**
 * Left side of a foreign-key join, fed by responses (and local resolutions): a response counts
 * only if its hash is the hash of the left row's current value; the result is then
 * joiner(current, foreignValue), or null (inner join without a right value, or a deleted row),
 * or joiner(current, null) in a leftJoin. Emits Change{newValue, oldValue}; old values come from
 * the result store when the join is materialized (else null).
 */
export class ForeignKeyResponseJoinOperator extends ChangeForwarder {
  private leftStore!: KeyValueStore<unknown, unknown>;
  private resultStore: KeyValueStore<unknown, unknown> | undefined;
  private leftValueSerde!: Serde<unknown>;
  private foreignValueSerde!: Serde<unknown>;
  private stale!: { value: number };

  constructor(private readonly node: ForeignKeyResponseJoinNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const n = this.node;
    this.leftStore = ctx.getStateStore(n.leftStore) as KeyValueStore<unknown, unknown>;
    if (n.resultStore !== undefined) {
      this.resultStore = ctx.getStateStore(n.resultStore) as KeyValueStore<unknown, unknown>;
      this.resultStore.setFlushListener((k, nv, ov, ts) => this.forwardChange(k, nv, ov, ts), true);
    }
    this.leftValueSerde = serdeOrDefault(n.leftValueSerde, ctx.defaultValueSerde, n.name, 'left value');
    this.foreignValueSerde = serdeOrDefault(n.foreignValueSerde, ctx.defaultValueSerde, n.name, 'right value');
    this.stale = ctx.metrics.counter('foreign-key-stale-responses-total', { task: ctx.taskId, node: n.name });
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const response = batch.values[i] as SubscriptionResponse | null;
    if (key === null || key === undefined || response === null || response === undefined) return this.skipNull();
    const current = this.leftStore.get(key);
    const currentHash = current === undefined || current === null ? null : valueHash(toBytes(this.leftValueSerde, current, this.name, 'left value'));
    if (!sameHash(currentHash, response.hash)) {
      // Answers an older left value (maybe of another foreign key): a newer response follows.
      this.stale.value++;
      return;
    }
    let result: unknown = null;
    if (current !== undefined && current !== null) {
      if (response.foreignValue !== null) result = this.node.joiner(current, this.foreignValueSerde.deserialize('', response.foreignValue), key);
      else if (this.node.leftJoin) result = this.node.joiner(current, null, key);
    }
    if (result === undefined) result = null;
    const ts = batch.timestamps[i];
    const store = this.resultStore;
    if (store === undefined) this.forwardChange(key, result, null, ts);
    else if (result !== null) store.put(key, result, ts);
    else if (store.get(key) !== undefined) store.delete(key, ts);
  }
}
