import type { FlatKeyValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Zero or more records (new key and value) per input record. */
export interface FlatMapNode extends NodeBase<'flatMap'> {
  readonly mapper: FlatKeyValueMapper<unknown, unknown, unknown, unknown>;
}
