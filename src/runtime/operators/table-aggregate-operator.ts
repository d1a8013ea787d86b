import type { TableAggregateNode } from '../../graph/nodes/table-aggregate-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** KGroupedTable aggregate/count/reduce: subtract the old value, add the new one. */
export class TableAggregateOperator extends ChangeForwarder {
  private store!: KeyValueStore<unknown, unknown>;

  constructor(private readonly node: TableAggregateNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = this.changeStore<KeyValueStore<unknown, unknown>>(this.node.store);
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    if (key === null || key === undefined) return this.skipNull();
    const change = batch.values[i] as Change<unknown>;
    const old = this.store.get(key);
    let agg = old === undefined ? this.node.initializer() : old;
    if (change.oldValue !== null && old !== undefined) agg = this.node.subtractor(key, change.oldValue, agg);
    if (change.newValue !== null) agg = this.node.adder(key, change.newValue, agg);
    // Kafka's KTableAggregate/KTableReduce: the aggregate's timestamp is the largest of its updates'.
    const ts = batch.timestamps[i];
    const prev = old === undefined ? ts : this.store.timestampOf(key)!;
    this.store.put(key, agg, prev > ts ? prev : ts);
  }
}
