import type { TimestampExtractor } from '../processor-types.js';
import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/** Reads topics (by name or pattern) and deserializes records. */
export interface SourceNode extends NodeBase<'source'> {
  /** Topic names as written by the user (internal topics unprefixed; see `internal`). */
  readonly topics: readonly string[];
  readonly pattern?: RegExp;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: 'earliest' | 'latest';
  /** True for repartition sources: the topic is `<application.id>-<topic>`. */
  readonly internal: boolean;
}
