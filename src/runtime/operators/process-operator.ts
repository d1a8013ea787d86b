import type { ProcessNode } from '../../graph/nodes/process-node.js';
import type {
  Cancellable,
  Processor,
  ProcessorContext,
  PunctuationType,
  RecordMetadata,
  StreamRecord,
} from '../../graph/processor-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BaseOperator, processingError } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/**
 * Runs a user Processor. Records it forwards are batched and passed downstream after each input
 * batch (or punctuation), keeping their order per child. The processor sees one record object per
 * input record (it may keep it); metadata is read through context.recordMetadata().
 */
export class ProcessOperator extends BaseOperator implements ProcessorContext<unknown, unknown> {
  private processor!: Processor<unknown, unknown, unknown, unknown>;
  private input: RecordBatch | undefined;
  private index = -1;
  private localStreamTime = -1;
  /** Child the pending output goes to (undefined: all children). */
  private target: string | undefined;
  private readonly meta = { topic: '', partition: -1, offset: -1 };

  constructor(private readonly node: ProcessNode) {
    super(node.name);
  }

  get applicationId(): string {
    return this.ctx.applicationId;
  }

  get taskId(): string {
    return this.ctx.taskId;
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    this.processor = this.node.supplier();
    this.out.partition = -1;
    this.processor.init?.(this);
    this.flushPending();
  }

  process(batch: RecordBatch): void {
    this.input = batch;
    const out = this.out;
    out.topic = batch.topic;
    out.partition = batch.partition;
    const n = batch.length;
    const processor = this.processor;
    let i = 0;
    try {
      for (; i < n; i++) {
        this.index = i;
        const ts = batch.timestamps[i];
        if (ts > this.localStreamTime) this.localStreamTime = ts;
        const record: StreamRecord<unknown, unknown> = { key: batch.keys[i], value: batch.values[i], timestamp: ts, headers: batch.headers[i] };
        processor.process(record);
      }
    } catch (err) {
      this.out.clear(); // what the failed record forwarded must not leak into the next batch
      throw processingError(this.name, batch, i, err);
    } finally {
      this.input = undefined;
      this.index = -1;
    }
    this.flushPending();
  }

  override close(): void {
    this.processor?.close?.();
    super.close();
  }

  // ProcessorContext

  recordMetadata(): RecordMetadata | undefined {
    const input = this.input;
    if (input === undefined || input.partition < 0) return undefined;
    const meta = this.meta;
    meta.topic = input.topic;
    meta.partition = input.partition;
    meta.offset = input.offsets[this.index];
    return meta;
  }

  currentStreamTimeMs(): number {
    return Math.max(this.localStreamTime, this.ctx.streamTime());
  }

  currentSystemTimeMs(): number {
    return this.ctx.wallClockTime();
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    if (childName !== undefined && !this.children.some((c) => c.name === childName)) {
      throw new StreamwrightError('PROCESSING', `Processor "${this.name}" forwarded to "${childName}", which is not one of its children (${this.children.map((c) => c.name).join(', ') || 'none'}).`, { node: this.name });
    }
    if (childName !== this.target && this.out.length > 0) this.flushPending();
    this.target = childName;
    const input = this.input;
    const offset = input !== undefined ? input.offsets[this.index] : -1;
    this.out.push(record.key, record.value, record.timestamp, offset, record.headers);
  }

  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.ctx.schedule(this.name, intervalMs, type, (ts) => {
      this.out.topic = '';
      this.out.partition = -1;
      try {
        callback(ts);
      } catch (err) {
        this.out.clear();
        throw punctuationError(this.name, type, ts, err);
      }
      this.flushPending();
    });
  }

  getStateStore<S>(name: string): S {
    if (!this.node.stores.includes(name)) {
      throw new StreamwrightError('STATE_STORE', `Processor "${this.name}" asked for state store "${name}" but is not connected to it. Pass { stores: ['${name}'] } to process().`, { node: this.name, store: name });
    }
    return this.ctx.getStateStore(name) as S;
  }

  private flushPending(): void {
    const out = this.out;
    if (out.length === 0) return;
    const target = this.target;
    const children = this.children;
    for (let c = 0; c < children.length; c++) {
      if (target === undefined || children[c].name === target) children[c].process(out);
    }
    out.clear();
  }
}

function punctuationError(node: string, type: PunctuationType, timestamp: number, err: unknown): StreamwrightError {
  if (err instanceof StreamwrightError && err.details.node !== undefined) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new StreamwrightError(
    'PROCESSING',
    `Processor "${node}" failed in its ${type} punctuation at ${timestamp}: ${msg}. Fix the punctuator; it runs outside any record, so no topic/offset applies.`,
    { node, punctuation: type, timestamp },
    { cause: err },
  );
}
