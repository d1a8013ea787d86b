import type { MapNode } from '../../graph/nodes/map-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class MapOperator extends BaseOperator {
  constructor(private readonly node: MapNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const mapper = this.node.mapper;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        const kv = mapper(batch.keys[i], batch.values[i]);
        out.pushFrom(batch, i, kv[0], kv[1]);
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
