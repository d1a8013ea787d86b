import type { JoinType, JoinWindowSpec, ValueJoiner } from '../join-windows.js';
import type { Serde } from '../serde-types.js';
import type { NodeBase } from './node-base.js';

/** Serdes a stream-stream join reads and writes its buffers with; what the DSL did not declare
 * comes from default.key.serde / default.value.serde when the task starts. */
export interface StreamJoinSerdes {
  readonly keySerde?: Serde<unknown>;
  readonly leftValueSerde?: Serde<unknown>;
  readonly rightValueSerde?: Serde<unknown>;
}

/**
 * One side of a KStream-KStream join (Kafka Streams' KSTREAM-JOINTHIS / KSTREAM-JOINOTHER): buffers
 * each record of its side in `thisStore` (a window store; several records may share a key and a
 * timestamp) and joins it with the records of `otherStore` inside the join window. Left and outer
 * joins park records that found no partner in `outerStore` until their window closes.
 */
export interface StreamStreamJoinNode extends NodeBase<'streamStreamJoin'> {
  /** 'left': the stream join() was called on; 'right': the argument. */
  readonly side: 'left' | 'right';
  readonly joinType: JoinType;
  readonly windows: JoinWindowSpec;
  readonly thisStore: string;
  readonly otherStore: string;
  /** Shared by both sides of a left or outer join: records waiting for their window to close. */
  readonly outerStore?: string;
  /** Always called as (leftValue, rightValue, key), whichever side runs it. */
  readonly joiner: ValueJoiner<unknown, unknown, unknown, unknown>;
  readonly serdes: StreamJoinSerdes;
  /** Name shared by the two sides of one join (their shared stream time). */
  readonly joinId: string;
}
