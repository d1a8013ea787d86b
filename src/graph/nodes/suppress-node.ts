import type { NodeBase } from './node-base.js';

export type SuppressMode =
  /** One final result per window, when stream time passes window end + grace. */
  | { readonly type: 'untilWindowCloses' }
  /** The latest update per key, at most once per time limit (stream time). */
  | { readonly type: 'untilTimeLimit'; readonly timeLimitMs: number };

/** KTable.suppress(): holds updates in a bounded buffer and emits them later. */
export interface SuppressNode extends NodeBase<'suppress'> {
  readonly mode: SuppressMode;
  /** Grace of the upstream windows (untilWindowCloses). */
  readonly graceMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  /** When the buffer is full: emit the oldest early, or fail (untilWindowCloses never emits early). */
  readonly onFull: 'emitEarly' | 'shutDown';
}
