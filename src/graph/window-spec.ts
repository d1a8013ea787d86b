/** Tumbling (advance = size) and hopping windows, aligned to the epoch: [start, start + size). */
export interface TimeWindowSpec {
  readonly type: 'time';
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
}

/** Sliding windows: two records belong together when their timestamps differ by at most timeDifferenceMs. */
export interface SlidingWindowSpec {
  readonly type: 'sliding';
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
}

/** Session windows: records of a key closer than gapMs merge into one session. */
export interface SessionWindowSpec {
  readonly type: 'session';
  readonly gapMs: number;
  readonly graceMs: number;
}

export type WindowSpec = TimeWindowSpec | SlidingWindowSpec | SessionWindowSpec;

/** Start times of every time window containing `timestamp`, oldest first. */
export function windowStartsFor(spec: TimeWindowSpec, timestamp: number): number[] {
  const out: number[] = [];
  const last = timestamp - (timestamp % spec.advanceMs);
  for (let start = last; start > timestamp - spec.sizeMs && start >= 0; start -= spec.advanceMs) out.unshift(start);
  return out;
}

/** How long a store must keep windows: Kafka Streams' default, size + grace (at least the configured retention). */
export function windowRetentionMs(spec: WindowSpec): number {
  switch (spec.type) {
    case 'time':
      return spec.sizeMs + spec.graceMs;
    case 'sliding':
      return 2 * spec.timeDifferenceMs + spec.graceMs;
    case 'session':
      return spec.gapMs + spec.graceMs;
  }
}
