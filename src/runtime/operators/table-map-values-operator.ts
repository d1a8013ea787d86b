import type { TableMapValuesNode } from '../../graph/nodes/table-map-values-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** KTable.mapValues: maps the new and the old value (nulls stay null). */
export class TableMapValuesOperator extends ChangeForwarder {
  private store: KeyValueStore<unknown, unknown> | undefined;

  constructor(private readonly node: TableMapValuesNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    if (this.node.store) this.store = ctx.getStateStore(this.node.store) as KeyValueStore<unknown, unknown>;
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const change = batch.values[i] as Change<unknown>;
    const newValue = change.newValue === null ? null : this.node.mapper(change.newValue, key);
    const oldValue = change.oldValue === null ? null : this.node.mapper(change.oldValue, key);
    if (this.store) {
      if (newValue === null) this.store.delete(key, batch.timestamps[i]);
      else this.store.put(key, newValue, batch.timestamps[i]);
    }
    this.forwardChange(key, newValue, oldValue, batch.timestamps[i]);
  }
}
