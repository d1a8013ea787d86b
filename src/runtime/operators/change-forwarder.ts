import type { Change } from '../../graph/processor-types.js';
import type { CacheFlushListener } from '../../state/store-types.js';
import { BaseOperator } from '../operator.js';
import { ToStreamOperator } from './to-stream-operator.js';
import type { RecordBatch } from '../record-batch.js';

/**
 * Base of operators that emit table updates (Change values), often from a store's flush
 * listener: during process() the updates join the output batch; at a commit-time flush they are
 * forwarded at once.
 */
export abstract class ChangeForwarder extends BaseOperator {
  private inProcess = false;
  protected droppedNull!: { value: number };

  protected forwardChange(key: unknown, newValue: unknown, oldValue: unknown, timestamp: number): void {
    const change: Change<unknown> = { newValue: newValue === undefined ? null : newValue, oldValue: oldValue === undefined ? null : oldValue };
    this.out.push(key, change, timestamp, -1, undefined);
    if (!this.inProcess) this.emit();
  }

  /** Index of the record being processed (for the error of a record that fails). */
  protected cursor = 0;

  process(batch: RecordBatch): void {
    this.begin(batch);
    this.inProcess = true;
    this.cursor = 0;
    try {
      this.processBatch(batch);
    } catch (err) {
      this.fail(batch, this.cursor, err);
    } finally {
      this.inProcess = false;
    }
    this.emit();
  }

  /** Processes every record of the batch, keeping `cursor` at the current one; operators with a
   * hot loop override this, the others implement processOne(). */
  protected processBatch(batch: RecordBatch): void {
    for (let i = 0, n = batch.length; i < n; i++) {
      this.cursor = i;
      this.processOne(batch, i);
    }
  }

  /**
   * The task's store `name`, with its cache flushes forwarded downstream as table updates: merged
   * per key between commits with caching, every update without.
   */
  protected changeStore<S extends { setFlushListener(listener: CacheFlushListener<any, any>, sendOldValues: boolean): void }>(name: string): S {
    const store = this.ctx.getStateStore(name) as S;
    store.setFlushListener((k, n, o, ts) => this.forwardChange(k, n, o, ts), this.sendsOldValues());
    return store;
  }

  /**
   * Whether downstream reads the old values of updates (Kafka's enableSendingOldValues): not when
   * every child is a toStream(), which keeps only the new value; then the store need not keep the
   * value of the last flush while an entry is dirty.
   */
  private sendsOldValues(): boolean {
    return !this.children.every((c) => c instanceof ToStreamOperator);
  }

  /** Counts a record skipped for a null key or value, as Kafka Streams does. */
  protected skipNull(): void {
    this.droppedNull ??= this.droppedCounter('null-key-or-value');
    this.droppedNull.value++;
  }

  /** This node's `dropped-records-total` cell for one reason (keep it; bump `.value`). */
  protected droppedCounter(reason: string): { value: number } {
    return this.ctx.metrics.counter('dropped-records-total', { task: this.ctx.taskId, node: this.name, reason });
  }

  protected abstract processOne(batch: RecordBatch, i: number): void;
}
