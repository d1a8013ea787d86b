import type { TableTableJoinNode } from '../../graph/nodes/table-table-join-node.js';
import type { Change } from '../../graph/processor-types.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/**
 * One side of a KTable-KTable join (Kafka Streams' KTableKTableInnerJoin / LeftJoin / RightJoin /
 * OuterJoin). An update Change{new, old} of key k on this side reads the other table's value o
 * for k and forwards Change{joined(new, o), joined(old, o)}, where joined() is null when the join
 * type has no result for that pair:
 *   inner: both present;  left: the left value present;  outer: either present.
 * Nothing is forwarded when no result can exist (inner: o missing; left: this is the right side
 * and o missing; left/outer: o, new and old all missing). A null key is dropped and counted.
 * The result's timestamp is the larger of the update's and o's (the timestamp the other table's
 * store keeps with o), or the update's when o is missing, as in Kafka Streams.
 */
export class TableTableJoinOperator extends BaseOperator {
  private other!: KeyValueStore<unknown, unknown>;
  private dropped!: { value: number };
  private readonly isLeft: boolean;
  /** This side's value alone gives a result (left side of left joins, both sides of outer joins). */
  private readonly thisOuter: boolean;
  /** The other side's value alone gives a result. */
  private readonly otherOuter: boolean;

  constructor(private readonly node: TableTableJoinNode) {
    super(node.name);
    this.isLeft = node.side === 'left';
    this.thisOuter = node.joinType === 'outer' || (node.joinType === 'left' && this.isLeft);
    this.otherOuter = node.joinType === 'outer' || (node.joinType === 'left' && !this.isLeft);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.other = ctx.getStateStore(this.node.otherStore) as KeyValueStore<unknown, unknown>;
    this.dropped = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'null-key' });
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const key = batch.keys[i];
        if (key === null || key === undefined) {
          this.dropped.value++;
          continue;
        }
        const change = batch.values[i] as Change<unknown>;
        const found = this.other.getWithTimestamp(key);
        const other = found === undefined || found.value === null ? null : found.value;
        if (other === null && (!this.thisOuter || (change.newValue === null && change.oldValue === null))) continue;
        const newValue = this.joined(change.newValue, other, key);
        const oldValue = this.joined(change.oldValue, other, key);
        const ts = batch.timestamps[i];
        out.push(key, { newValue, oldValue } satisfies Change<unknown>, other === null ? ts : Math.max(ts, found!.timestamp), batch.offsets[i], batch.headers[i]);
      }
    } catch (err) {
      out.clear();
      this.fail(batch, i, err);
    }
    this.emit();
  }

  private joined(mine: unknown, other: unknown, key: unknown): unknown {
    const present = mine !== null ? (other !== null ? true : this.thisOuter) : other !== null && this.otherOuter;
    if (!present) return null;
    const result = this.isLeft ? this.node.joiner(mine, other, key) : this.node.joiner(other, mine, key);
    return result === undefined ? null : result;
  }
}
