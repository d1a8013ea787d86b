import type { AggregateNode } from '../../graph/nodes/aggregate-node.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** KGroupedStream aggregate/count/reduce: read-modify-write of the key's aggregate in the store;
 * updates reach downstream through the store's cache (merged per key between commits). */
export class AggregateOperator extends ChangeForwarder {
  private store!: KeyValueStore<unknown, unknown>;

  constructor(private readonly node: AggregateNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = this.changeStore<KeyValueStore<unknown, unknown>>(this.node.store);
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const value = batch.values[i];
    if (key === null || key === undefined || value === null || value === undefined) return this.skipNull();
    const old = this.store.get(key);
    const ts = batch.timestamps[i];
    if (old === undefined) return this.store.put(key, this.node.aggregator(key, value, this.node.initializer()), ts);
    // Kafka's KStreamAggregate/KStreamReduce: the aggregate's timestamp is the largest of its records'.
    const prev = this.store.timestampOf(key)!;
    this.store.put(key, this.node.aggregator(key, value, old), prev > ts ? prev : ts);
  }
}
