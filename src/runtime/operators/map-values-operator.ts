import type { MapValuesNode } from '../../graph/nodes/map-values-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class MapValuesOperator extends BaseOperator {
  constructor(private readonly node: MapValuesNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const mapper = this.node.mapper;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) out.pushFrom(batch, i, batch.keys[i], mapper(batch.values[i], batch.keys[i]));
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
