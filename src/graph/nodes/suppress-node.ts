import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

export type SuppressMode =
  /** One final result per window, when stream time passes window end + grace. */
  | { readonly type: 'untilWindowCloses' }
  /** The latest update per key, at most once per time limit (stream time). */
  | { readonly type: 'untilTimeLimit'; readonly timeLimitMs: number };

/** Serdes of the suppression buffer's store whose inner serdes may come from the app's defaults. */
export interface SuppressBufferSerdes {
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  /** Gives the serdes default.key.serde / default.value.serde for what the table did not declare. */
  bindDefaults(defaultKeySerde: Serde<unknown> | undefined, defaultValueSerde: Serde<unknown> | undefined): void;
}

/** KTable.suppress(): holds updates in a bounded buffer and emits them later. */
export interface SuppressNode extends NodeBase<'suppress'> {
  readonly mode: SuppressMode;
  /** Stream time after a window's end at which it closes (untilWindowCloses): the upstream grace,
   * plus 1 ms for windows whose end is inclusive (sliding windows). */
  readonly graceMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  /** When the buffer is full: emit the oldest early, fail, or spill entries beyond the limits to
   * the (then persistent) store (untilWindowCloses never emits early). */
  readonly onFull: 'emitEarly' | 'shutDown' | 'spillToDisk';
  /** The changelogged key-value store that makes the buffer durable (Kafka Streams' suppression
   * buffer changelog): one entry per buffered key, deleted when emitted. LevelDB-backed when the
   * buffer spills to disk, in memory otherwise. */
  readonly store: string;
  readonly bufferSerdes: SuppressBufferSerdes;
}
