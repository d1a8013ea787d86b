import type { TableGroupByNode } from '../../graph/nodes/table-group-by-node.js';
import type { Change } from '../../graph/processor-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

/** KTable.groupBy(): the old value goes to its group as a subtraction, then the new value to its
 * group as an addition. Pairs with a null key or value are skipped, as in Kafka Streams. */
export class TableGroupByOperator extends BaseOperator {
  constructor(private readonly node: TableGroupByNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const selector = this.node.selector;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const key = batch.keys[i];
        const change = batch.values[i] as Change<unknown>;
        if (change.oldValue !== null) {
          const [k, v] = selector(key, change.oldValue);
          if (k !== null && k !== undefined && v !== null && v !== undefined) out.pushFrom(batch, i, k, { newValue: null, oldValue: v });
        }
        if (change.newValue !== null) {
          const [k, v] = selector(key, change.newValue);
          if (k !== null && k !== undefined && v !== null && v !== undefined) out.pushFrom(batch, i, k, { newValue: v, oldValue: null });
        }
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
