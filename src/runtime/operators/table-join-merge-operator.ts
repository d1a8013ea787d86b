import type { TableJoinMergeNode } from '../../graph/nodes/table-join-merge-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/** Merges both sides of a KTable-KTable join (Kafka Streams' KTableKTableJoinMerger): forwards
 * their Changes and, when the result is materialized, writes the new value (null deletes) with the
 * result's timestamp (the larger of both sides', set by the join operators), which the store keeps
 * for getWithTimestamp() readers such as a further table-table join. */
export class TableJoinMergeOperator extends BaseOperator {
  private store: KeyValueStore<unknown, unknown> | undefined;

  constructor(private readonly node: TableJoinMergeNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    if (this.node.store !== undefined) this.store = ctx.getStateStore(this.node.store) as KeyValueStore<unknown, unknown>;
  }

  process(batch: RecordBatch): void {
    const store = this.store;
    if (store !== undefined) {
      let i = 0;
      try {
        for (const n = batch.length; i < n; i++) {
          const change = batch.values[i] as Change<unknown>;
          if (change.newValue === null) store.delete(batch.keys[i], batch.timestamps[i]);
          else store.put(batch.keys[i], change.newValue, batch.timestamps[i]);
        }
      } catch (err) {
        this.fail(batch, i, err);
      }
    }
    const children = this.children;
    for (let c = 0; c < children.length; c++) children[c].process(batch);
  }
}
