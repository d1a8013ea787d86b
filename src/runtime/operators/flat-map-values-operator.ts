import type { FlatMapValuesNode } from '../../graph/nodes/flat-map-values-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class FlatMapValuesOperator extends BaseOperator {
  constructor(private readonly node: FlatMapValuesNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const mapper = this.node.mapper;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        const key = batch.keys[i];
        for (const v of mapper(batch.values[i], key)) out.pushFrom(batch, i, key, v);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
