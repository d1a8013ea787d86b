import type { FilterNode } from '../../graph/nodes/filter-node.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';

export class FilterOperator extends BaseOperator {
  /** Indices of the kept records of the current batch (reused, grown as needed). */
  private selected = new Int32Array(1024);

  constructor(private readonly node: FilterNode) {
    super(node.name);
  }

  process(batch: RecordBatch): void {
    const predicate = this.node.predicate;
    const keep = !this.node.negate;
    const n = batch.length;
    if (this.selected.length < n) this.selected = new Int32Array(Math.max(n, this.selected.length * 2));
    const sel = this.selected;
    const keys = batch.keys;
    const values = batch.values;
    let kept = 0;
    let i = 0;
    try {
      for (; i < n; i++) if (predicate(keys[i], values[i]) === keep) sel[kept++] = i;
    } catch (err) {
      this.fail(batch, i, err);
    }
    if (kept === 0) return;
    if (kept === n) {
      // Every record passes: children see the input batch itself (they never keep or change it).
      const children = this.children;
      for (let c = 0; c < children.length; c++) children[c].process(batch);
      return;
    }
    this.begin(batch).appendSelected(batch, sel, kept);
    this.emit();
  }
}
