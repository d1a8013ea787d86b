import type { FetchBatch } from '../../backend/backend-types.js';
import type { SourceNode } from '../../graph/nodes/source-node.js';
import type { Deserializer } from '../../graph/serde-types.js';
import type { TimestampExtractor } from '../../graph/processor-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { BaseOperator } from '../operator.js';
import type { RecordBatch } from '../record-batch.js';
import type { TaskContext } from '../task-context.js';

/**
 * Entry of a sub-topology: deserializes fetched records, extracts event time and feeds children.
 * Undeserializable records go to the configured handler (log-and-continue or log-and-fail) with
 * topic, partition and offset; records with a negative timestamp are dropped and counted.
 */
export class SourceOperator extends BaseOperator {
  private keyDeserializer!: Deserializer<unknown>;
  private valueDeserializer!: Deserializer<unknown>;
  private extractor: TimestampExtractor | undefined;
  private skipped!: { value: number };
  private invalidTimestamps!: { value: number };

  constructor(private readonly node: SourceNode) {
    super(node.name);
  }

  override init(ctx: TaskContext): void {
    super.init(ctx);
    const key = this.node.keySerde ?? ctx.defaultKeySerde;
    const value = this.node.valueSerde ?? ctx.defaultValueSerde;
    if (!key || !value) {
      throw new StreamwrightError(
        'SERDE_MISSING',
        `Source "${this.node.name}" (topics: ${this.node.topics.join(', ') || this.node.pattern}) has no ${key ? 'value' : 'key'} serde. Pass { keySerde, valueSerde } to stream(), or set default.key.serde / default.value.serde.`,
        { node: this.node.name },
      );
    }
    this.keyDeserializer = key;
    this.valueDeserializer = value;
    this.extractor = this.node.timestampExtractor ?? ctx.defaultTimestampExtractor;
    this.skipped = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'deserialization-error' });
    this.invalidTimestamps = ctx.metrics.counter('dropped-records-total', { task: ctx.taskId, node: this.name, reason: 'invalid-timestamp' });
  }

  process(_batch: RecordBatch): void {
    throw new Error(`Source "${this.name}" has no parents; records enter through ingest().`);
  }

  /** Feeds records [start, end) of a fetched batch through the sub-topology. */
  ingest(fb: FetchBatch, start: number, end: number): void {
    this.decode(fb, start, end);
    this.emit();
  }

  /**
   * First half of ingest(): deserializes and timestamps records [start, end) into the output
   * batch without sending them, so the task can prefetch state for their keys, then call emitDecoded().
   */
  decode(fb: FetchBatch, start: number, end: number): RecordBatch {
    const out = this.out;
    out.clear();
    out.topic = fb.topic;
    out.partition = fb.partition;
    const ctx = this.ctx;
    const extractor = this.extractor;
    const topic = fb.topic;
    const keyDeserializer = this.keyDeserializer;
    const valueDeserializer = this.valueDeserializer;
    const fbKeys = fb.keys;
    const fbValues = fb.values;
    const fbTimestamps = fb.timestamps;
    const outKeys = out.keys;
    const outValues = out.values;
    const outTimestamps = out.timestamps;
    const outOffsets = out.offsets;
    const outHeaders = out.headers;
    // Without an extractor nothing reads stream time inside this loop, so it advances once at the end.
    let maxTs = -1;
    let n = 0;
    // While output record n is fetched record n (a run from the batch start, no extractor, nothing
    // skipped yet), the timestamp, offset and header columns are lent from the batch, not copied.
    let lend = start === 0 && extractor === undefined;
    for (let i = start; i < end; i++) {
      let key: unknown;
      let value: unknown;
      try {
        key = keyDeserializer.deserialize(topic, fbKeys[i]);
        value = valueDeserializer.deserialize(topic, fbValues[i]);
      } catch (err) {
        this.onDeserializationError(fb, i, err);
        if (lend) lend = copyMetadata(fb, out, n);
        continue;
      }
      let ts = fbTimestamps[i];
      if (extractor !== undefined) {
        ts = extractor(key, value, ts, ctx.streamTime());
        if (ts >= 0) ctx.advanceStreamTime(ts);
      }
      if (!(ts >= 0)) {
        this.invalidTimestamps.value++;
        ctx.logger.warn(`Skipping record with invalid timestamp ${ts} from topic "${topic}", partition ${fb.partition}, offset ${fb.offsets[i]}.`);
        if (lend) lend = copyMetadata(fb, out, n);
        continue;
      }
      if (ts > maxTs) maxTs = ts;
      outKeys[n] = key;
      outValues[n] = value;
      if (!lend) {
        outTimestamps[n] = ts;
        outOffsets[n] = fb.offsets[i];
        outHeaders[n] = fb.headers[i];
      }
      n++;
    }
    out.length = n;
    if (lend) out.borrowColumns(fb, false);
    if (maxTs >= 0) ctx.advanceStreamTime(maxTs);
    return out;
  }

  /** Second half of ingest(): sends what decode() produced downstream. */
  emitDecoded(): void {
    this.emit();
  }

  private onDeserializationError(fb: FetchBatch, i: number, err: unknown): void {
    const where = `topic "${fb.topic}", partition ${fb.partition}, offset ${fb.offsets[i]}`;
    const reason = err instanceof Error ? err.message : String(err);
    if (this.ctx.deserializationHandler === 'log-and-continue') {
      this.skipped.value++;
      this.ctx.logger.warn(`Skipping record that could not be deserialized at ${where}: ${reason}`, { node: this.name });
      return;
    }
    throw new StreamwrightError(
      'DESERIALIZATION',
      `Could not deserialize the record at ${where} in source "${this.name}": ${reason}. Fix the producer or the serde, or set default.deserialization.exception.handler=log-and-continue to skip such records.`,
      { node: this.name, topic: fb.topic, partition: fb.partition, offset: fb.offsets[i] },
      { cause: err },
    );
  }
}

/** Copies timestamps, offsets and headers of fetched records [0, n) into `out`; returns false (no longer lending). */
function copyMetadata(fb: FetchBatch, out: RecordBatch, n: number): false {
  const { timestamps, offsets, headers } = out;
  for (let i = 0; i < n; i++) {
    timestamps[i] = fb.timestamps[i];
    offsets[i] = fb.offsets[i];
    headers[i] = fb.headers[i];
  }
  return false;
}
