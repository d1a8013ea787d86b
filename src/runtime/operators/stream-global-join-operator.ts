import type { StreamGlobalJoinNode } from '../../graph/nodes/stream-global-join-node.js';
import type { KeyValueStore } from '../../state/store-types.js';
import { globalStoreOf } from '../global-state.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/**
 * KStream-GlobalKTable join / leftJoin: looks up keyMapper(key, value) in the global store.
 * Drops (and counts) records with a null value, and in an inner join those with a null mapped key;
 * an inner join drops records without a match. A leftJoin joins records without a match, a null
 * mapped key or a null key with null (KIP-962, Kafka Streams 3.7+). The stream key need not be
 * non-null in either join: only the mapped key is looked up.
 */
export class StreamGlobalJoinOperator extends BaseOperator {
  private store!: KeyValueStore<unknown, unknown>;
  private droppedNull!: { value: number };

  constructor(private readonly node: StreamGlobalJoinNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.store = globalStoreOf(ctx, this.node.globalStore, this.name);
    this.droppedNull = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'null-key-or-value' });
  }

  process(batch: RecordBatch): void {
    const out = this.begin(batch);
    const { keyMapper, joiner, leftJoin } = this.node;
    const store = this.store;
    const keys = batch.keys;
    const values = batch.values;
    let i = 0;
    try {
      for (const n = batch.length; i < n; i++) {
        const key = keys[i];
        const value = values[i];
        if (value === null || value === undefined) {
          this.droppedNull.value++;
          continue;
        }
        const mapped = keyMapper(key, value);
        let other: unknown = null;
        if (mapped === null || mapped === undefined) {
          if (!leftJoin) {
            this.droppedNull.value++;
            continue;
          }
        } else {
          const found = store.get(mapped);
          if (found === undefined) {
            if (!leftJoin) continue;
          } else other = found;
        }
        out.pushFrom(batch, i, key, joiner(value, other, key));
      }
    } catch (err) {
      this.fail(batch, i, err);
    }
    this.emit();
  }
}
