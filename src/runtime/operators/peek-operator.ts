import type { ForeachNode } from '../../graph/nodes/foreach-node.js';
import type { PeekNode } from '../../graph/nodes/peek-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

/** peek (forwards the batch unchanged) and foreach (terminal): call the action per record. */
export class PeekOperator extends BaseOperator {
  constructor(private readonly node: PeekNode | ForeachNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const action = this.node.action;
    const n = batch.length;
    let i = 0;
    try {
      for (; i < n; i++) action(batch.keys[i], batch.values[i]);
    } catch (err) {
      this.fail(batch, i, err);
    }
    const children = this.children;
    for (let c = 0; c < children.length; c++) children[c].process(batch);
  }
}
