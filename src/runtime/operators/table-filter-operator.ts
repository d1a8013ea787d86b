import type { TableFilterNode } from '../../graph/nodes/table-filter-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';
import { ChangeForwarder } from './change-forwarder.js';

/** KTable.filter: a value failing the predicate becomes null; an update null -> null is not sent. */
export class TableFilterOperator extends ChangeForwarder {
  private store: KeyValueStore<unknown, unknown> | undefined;

  constructor(private readonly node: TableFilterNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    if (this.node.store) this.store = ctx.getStateStore(this.node.store) as KeyValueStore<unknown, unknown>;
  }

  private keep(key: unknown, value: unknown): unknown {
    return value !== null && this.node.predicate(key, value) !== this.node.negate ? value : null;
  }

  protected processOne(batch: RecordBatch, i: number): void {
    const key = batch.keys[i];
    const change = batch.values[i] as Change<unknown>;
    const newValue = this.keep(key, change.newValue);
    const oldValue = this.keep(key, change.oldValue);
    if (newValue === null && oldValue === null) return;
    if (this.store) {
      if (newValue === null) this.store.delete(key, batch.timestamps[i]);
      else this.store.put(key, newValue, batch.timestamps[i]);
    }
    this.forwardChange(key, newValue, oldValue, batch.timestamps[i]);
  }
}
