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
  /** The batch's own key/timestamp/offset/header columns while some are borrowed (else null). */
  private own: OwnColumns | null = null;

  /**
   * Makes this batch's timestamp, offset and header columns (and its key column with
   * `withKeys`) the very arrays of `from`, for records 0..length: no copy. Only for an operator
   * whose output records i are its input records i with those columns unchanged. Borrowed columns
   * are never written: clear() and release() give the batch its own columns back first.
   */
  borrowColumns(from: ColumnSource, withKeys: boolean): void {
    if (this.own === null) this.own = { keys: this.keys, timestamps: this.timestamps, offsets: this.offsets, headers: this.headers };
    const self = this as unknown as MutableColumns;
    if (withKeys) self.keys = from.keys as unknown[];
    self.timestamps = from.timestamps as number[];
    self.offsets = from.offsets as number[];
    self.headers = from.headers as (readonly Header[] | undefined)[];
  }

  private restoreColumns(): void {
    const own = this.own!;
    const self = this as unknown as MutableColumns;
    self.keys = own.keys;
    self.timestamps = own.timestamps;
    self.offsets = own.offsets;
    self.headers = own.headers;
    this.own = null;
  }

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

  /** Appends the records of `from` at indices sel[0..count) (ascending), unchanged. */
  appendSelected(from: RecordBatch, sel: ArrayLike<number>, count: number): void {
    const base = this.length;
    const fk = from.keys, fv = from.values, ft = from.timestamps, fo = from.offsets, fh = from.headers;
    const tk = this.keys, tv = this.values, tt = this.timestamps, to = this.offsets, th = this.headers;
    for (let k = 0; k < count; k++) {
      const j = sel[k];
      tk[base + k] = fk[j];
      tv[base + k] = fv[j];
      tt[base + k] = ft[j];
      to[base + k] = fo[j];
      th[base + k] = fh[j];
    }
    this.length = base + count;
  }

  clear(): void {
    this.length = 0;
    if (this.own !== null) this.restoreColumns();
  }

  /** Drops references held past `length` so buffered values can be collected. */
  release(): void {
    if (this.own !== null) this.restoreColumns();
    this.keys.length = this.values.length = this.timestamps.length = this.offsets.length = this.headers.length = 0;
    this.length = 0;
  }
}


/** Columns another batch (a RecordBatch or a fetched FetchBatch) can lend. */
export interface ColumnSource {
  readonly keys: readonly unknown[];
  readonly timestamps: readonly number[];
  readonly offsets: readonly number[];
  readonly headers: readonly (readonly Header[] | undefined)[];
}

interface OwnColumns {
  readonly keys: unknown[];
  readonly timestamps: number[];
  readonly offsets: number[];
  readonly headers: (readonly Header[] | undefined)[];
}

type MutableColumns = { -readonly [K in keyof OwnColumns]: OwnColumns[K] };
