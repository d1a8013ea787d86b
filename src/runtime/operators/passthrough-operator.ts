import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

/** Forwards batches unchanged: merge() and the named branches of split(). */
export class PassthroughOperator extends BaseOperator {
  process(batch: RecordBatch): void {
    const children = this.children;
    for (let c = 0; c < children.length; c++) children[c].process(batch);
  }
}
