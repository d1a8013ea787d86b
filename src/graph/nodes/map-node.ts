import type { KeyValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/** Replaces key and value. Changes the key, so downstream grouping/joins repartition. */
export interface MapNode extends NodeBase<'map'> {
  readonly mapper: KeyValueMapper<unknown, unknown, unknown, unknown>;
}
