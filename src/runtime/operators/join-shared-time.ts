import type { Serde } from '../../graph/serde-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { TaskContext } from '../task-context.js';

/** Stream time shared by the two sides of one stream-stream join in one task (Kafka Streams'
 * TimeTracker): the largest timestamp either side has seen, null-key records included. */
export interface JoinTime {
  value: number;
}

const byTask = new WeakMap<TaskContext, Map<string, JoinTime>>();

export function sharedJoinTime(ctx: TaskContext, joinId: string): JoinTime {
  let joins = byTask.get(ctx);
  if (joins === undefined) byTask.set(ctx, (joins = new Map()));
  let t = joins.get(joinId);
  if (t === undefined) joins.set(joinId, (t = { value: -1 }));
  return t;
}

/** The declared serde, else the app default; SERDE_MISSING naming the store otherwise. */
export function joinSerde(declared: Serde<unknown> | undefined, fallback: Serde<unknown> | undefined, what: 'key' | 'value', store: string, node: string): Serde<unknown> {
  const serde = declared ?? fallback;
  if (serde === undefined) {
    throw new StreamwrightError(
      'SERDE_MISSING',
      `Join store "${store}" (processor "${node}") has no ${what} serde: the joined stream does not declare one and default.${what}.serde is not set. Pass it in StreamJoined ({ keySerde, valueSerde, otherValueSerde }), in Consumed on the source, or set default.${what}.serde.`,
      { store, node },
    );
  }
  return serde;
}
