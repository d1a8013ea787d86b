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
    const keys = batch.keys;
    const values = batch.values;
    const mapped = out.values;
    let i = 0;
    try {
      for (; i < n; i++) mapped[i] = mapper(values[i], keys[i]);
    } catch (err) {
      this.fail(batch, i, err);
    }
    // Record i keeps key, timestamp, offset and headers of input record i: lend those columns.
    out.length = n;
    out.borrowColumns(batch, true);
    this.emit();
  }
}
