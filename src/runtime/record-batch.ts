import type { Header } from '../graph/processor-types.js';

/**
 * Records in flight between operators, column-wise. An operator owns one output batch and reuses
 * it for every input batch; a child must not keep a reference to a batch after process() returns
 * (copy what you buffer). Offsets are the source offsets the records derive from (-1 inside a
 * punctuation).
 */
export class RecordBatch {
  length = 0;
  /** Source topic/partition the records derive from ('' / -1 for punctuation output). */
  topic = '';
  partition = -1;
  readonly keys: unknown[] = [];
  readonly values: unknown[] = [];
  readonly timestamps: number[] = [];
  readonly offsets: number[] = [];
  readonly headers: (readonly Header[] | undefined)[] = [];

  push(key: unknown, value: unknown, timestamp: number, offset: number, headers: readonly Header[] | undefined): void {
    const i = this.length++;
    this.keys[i] = key;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
    this.offsets[i] = offset;
    this.headers[i] = headers;
  }

  /** Copies record i of `from`, keeping its timestamp, offset and headers. */
  pushFrom(from: RecordBatch, i: number, key: unknown, value: unknown): void {
    this.push(key, value, from.timestamps[i], from.offsets[i], from.headers[i]);
  }

  clear(): void {
    this.length = 0;
  }

  /** Drops references held past `length` so buffered values can be collected. */
  release(): void {
    this.keys.length = this.values.length = this.timestamps.length = this.offsets.length = this.headers.length = 0;
    this.length = 0;
  }
}
