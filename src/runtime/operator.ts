import { StreamwrightError } from '../errors/streamwright-error.js';
import { RecordBatch } from './record-batch.js';
import type { TaskContext } from './task-context.js';

/** An executable graph node inside one task. process() is synchronous and batch-at-a-time. */
export interface Operator {
  readonly name: string;
  /** Downstream operators in graph order; set by the task when it wires the sub-topology. */
  children: Operator[];
  init(ctx: TaskContext): void;
  process(batch: RecordBatch): void;
  close(): void;
}

export abstract class BaseOperator implements Operator {
  children: Operator[] = [];
  protected readonly out = new RecordBatch();
  protected ctx!: TaskContext;

  constructor(readonly name: string) {}

  init(ctx: TaskContext): void {
    this.ctx = ctx;
  }

  abstract process(batch: RecordBatch): void;

  close(): void {
    this.out.release();
  }

  /** Starts an output batch derived from `input`. */
  protected begin(input: RecordBatch): RecordBatch {
    const out = this.out;
    out.clear();
    out.topic = input.topic;
    out.partition = input.partition;
    return out;
  }

  /** Sends the output batch to every child, then empties it. */
  protected emit(): void {
    const out = this.out;
    if (out.length === 0) return;
    const children = this.children;
    for (let c = 0; c < children.length; c++) children[c].process(out);
    out.clear();
  }

  /** Wraps an exception thrown by user code for record i of `batch`, naming where it happened. */
  protected fail(batch: RecordBatch, i: number, err: unknown): never {
    throw processingError(this.name, batch, i, err);
  }
}

export function processingError(node: string, batch: RecordBatch, i: number, err: unknown): StreamwrightError {
  if (err instanceof StreamwrightError && err.details.node !== undefined) return err;
  const where = batch.partition >= 0 ? `topic "${batch.topic}", partition ${batch.partition}, offset ${batch.offsets[i]}` : 'a punctuation';
  const msg = err instanceof Error ? err.message : String(err);
  return new StreamwrightError(
    'PROCESSING',
    `Processor "${node}" failed on the record from ${where}: ${msg}`,
    { node, topic: batch.topic, partition: batch.partition, offset: batch.offsets[i] },
    { cause: err },
  );
}
