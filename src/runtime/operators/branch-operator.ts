import type { BranchNode } from '../../graph/nodes/branch-node.js';
import { BaseOperator } from '../operator.js';
import { RecordBatch } from '../record-batch.js';

/** split(): routes each record to the first branch whose predicate holds. */
export class BranchOperator extends BaseOperator {
  private readonly outs: RecordBatch[];

  constructor(private readonly node: BranchNode) {
    super(node.name);
    this.outs = node.branches.map(() => new RecordBatch());
  }

  override init(ctx: import('../task-context.js').TaskContext): void {
    super.init(ctx);
    // Order children as the branches, whatever order they were wired in.
    this.children = this.node.branches.map((name) => {
      const child = this.children.find((c) => c.name === name);
      if (!child) throw new Error(`split "${this.name}" has no operator for branch "${name}"`);
      return child;
    });
  }

  process(batch: RecordBatch): void {
    const { predicates } = this.node;
    const outs = this.outs;
    for (const o of outs) {
      o.clear();
      o.topic = batch.topic;
      o.partition = batch.partition;
    }
    const n = batch.length;
    const p = predicates.length;
    let i = 0;
    try {
      for (; i < n; i++) {
        const key = batch.keys[i];
        const value = batch.values[i];
        for (let b = 0; b < p; b++) {
          if (predicates[b](key, value)) {
            outs[b].pushFrom(batch, i, key, value);
            break;
          }
        }
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    for (let b = 0; b < p; b++) {
      if (outs[b].length > 0) this.children[b].process(outs[b]);
      outs[b].clear();
    }
  }

  override close(): void {
    for (const o of this.outs) o.release();
    super.close();
  }
}
