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

  /**
   * Appends the records of `from` at indices sel[0..count) (ascending), unchanged. Column by
   * column: each loop touches one array, which keeps the element stores monomorphic and fast.
   */
  appendSelected(from: RecordBatch, sel: ArrayLike<number>, count: number): void {
    const base = this.length;
    const fk = from.keys, tk = this.keys;
    for (let k = 0; k < count; k++) tk[base + k] = fk[sel[k]];
    const fv = from.values, tv = this.values;
    for (let k = 0; k < count; k++) tv[base + k] = fv[sel[k]];
    const ft = from.timestamps, tt = this.timestamps;
    for (let k = 0; k < count; k++) tt[base + k] = ft[sel[k]];
    const fo = from.offsets, to = this.offsets;
    for (let k = 0; k < count; k++) to[base + k] = fo[sel[k]];
    const fh = from.headers, th = this.headers;
    for (let k = 0; k < count; k++) th[base + k] = fh[sel[k]];
    this.length = base + count;
  }

  /**
   * For an operator that has written values[0..n) itself: copies keys, timestamps, offsets and
   * headers of records 0..n of `from` and sets the length to n. The batch must be empty before.
   */
  completeWithMetadataOf(from: RecordBatch, n: number): void {
    const fk = from.keys, tk = this.keys;
    for (let i = 0; i < n; i++) tk[i] = fk[i];
    const ft = from.timestamps, tt = this.timestamps;
    for (let i = 0; i < n; i++) tt[i] = ft[i];
    const fo = from.offsets, to = this.offsets;
    for (let i = 0; i < n; i++) to[i] = fo[i];
    const fh = from.headers, th = this.headers;
    for (let i = 0; i < n; i++) th[i] = fh[i];
    this.length = n;
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

