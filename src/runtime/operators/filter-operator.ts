import type { FilterNode } from '../../graph/nodes/filter-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class FilterOperator extends BaseOperator {
  constructor(private readonly node: FilterNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const predicate = this.node.predicate;
    const keep = !this.node.negate;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        if (predicate(batch.keys[i], batch.values[i]) === keep) out.pushFrom(batch, i, batch.keys[i], batch.values[i]);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
