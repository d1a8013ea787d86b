import type { StreamTableJoinNode } from '../../graph/nodes/stream-table-join-node.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/**
 * KStream-KTable join (Kafka Streams' KStreamKTableJoin): each stream record (k, v, t) reads the
 * table's current value for k and emits joiner(v, tableValue) at t; leftJoin also emits records
 * without a table value, with null. Records with a null value, and in an inner join those with a
 * null key, are dropped and counted (dropped-records-total, reason null-key-or-value); a leftJoin
 * joins a null-key record with null (KIP-962, Kafka Streams 3.7+). Table updates never emit: they
 * only change what later stream records see.
 */
export class StreamTableJoinOperator extends BaseOperator {
  private table!: KeyValueStore<unknown, unknown>;
  private dropped!: { value: number };

  constructor(private readonly node: StreamTableJoinNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.table = ctx.getStateStore(this.node.tableStore) as KeyValueStore<unknown, unknown>;
    this.dropped = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const { joiner, leftJoin } = this.node;
    const keys = batch.keys;
    const values = batch.values;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const key = keys[i];
        const value = values[i];
        if (key === null || key === undefined || value === null || value === undefined) {
          if (leftJoin && value !== null && value !== undefined) {
            out.pushFrom(batch, i, key, joiner(value, null, key));
            continue;
          }
          this.dropped.value++;
          this.ctx.logger.debug(`Skipping a record with a null key or value in join "${this.name}"`, { topic: batch.topic, partition: batch.partition, offset: batch.offsets[i] });
          continue;
        }
        const found = this.table.get(key);
        if (found === undefined || found === null) {
          if (leftJoin) out.pushFrom(batch, i, key, joiner(value, null, key));
        } else out.pushFrom(batch, i, key, joiner(value, found, key));
      }
    } catch (err) {
      out.clear();
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
