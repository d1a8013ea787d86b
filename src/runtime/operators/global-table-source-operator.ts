import type { GlobalTableSourceNode } from '../../graph/nodes/global-table-source-node.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/** builder.globalTable()'s KTABLE-SOURCE: upserts into the global store (null value = delete); emits nothing. */
export class GlobalTableSourceOperator extends BaseOperator {
  private store!: KeyValueStore<unknown, unknown>;
  private droppedNull!: { value: number };

  constructor(private readonly node: GlobalTableSourceNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = ctx.getStateStore(this.node.store) as KeyValueStore<unknown, unknown>;
    this.droppedNull = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    const store = this.store;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const key = batch.keys[i];
        if (key === null || key === undefined) {
          this.droppedNull.value++;
          continue;
        }
        const value = batch.values[i];
        if (value === null || value === undefined) store.delete(key, batch.timestamps[i]);
        else store.put(key, value, batch.timestamps[i]);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
  }
}
