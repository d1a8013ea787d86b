import type { TableSourceNode } from '../../graph/nodes/table-source-node.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** builder.table(): upserts (null value = delete) into the table's store; emits Change updates. */
export class TableSourceOperator extends ChangeForwarder {
  private store!: KeyValueStore<unknown, unknown>;

  constructor(private readonly node: TableSourceNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    // Nothing downstream in this sub-topology (a table only joined or queried): forwarding its
    // updates would reach no one, so no flush listener (no Change per flush, no old value read).
    this.store =
      this.children.length === 0
        ? (ctx.getStateStore(this.node.store) as KeyValueStore<unknown, unknown>)
        : this.changeStore<KeyValueStore<unknown, unknown>>(this.node.store);
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    if (key === null || key === undefined) return this.skipNull();
    const value = batch.values[i];
    if (value === null || value === undefined) {
      if (this.store.get(key) !== undefined) this.store.delete(key, batch.timestamps[i]);
    } else this.store.put(key, value, batch.timestamps[i]);
  }
}
