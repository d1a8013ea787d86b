import type { SelectKeyNode } from '../../graph/nodes/select-key-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class SelectKeyOperator extends BaseOperator {
  constructor(private readonly node: SelectKeyNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const selector = this.node.selector;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) out.pushFrom(batch, i, selector(batch.keys[i], batch.values[i]), batch.values[i]);
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
