import type { Change } from '../../graph/processor-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

/** KTable.toStream(): each update's new value becomes a record (null for a delete). */
export class ToStreamOperator extends BaseOperator {
  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    for (let i = 0, n = batch.length; i < n; i++) out.pushFrom(batch, i, batch.keys[i], (batch.values[i] as Change<unknown>).newValue);
    this.emit();
  }
}
