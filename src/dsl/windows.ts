import type { SessionWindowSpec, SlidingWindowSpec, TimeWindowSpec } from '../graph/window-spec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

function positive(what: string, ms: number, fix: string): number {
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms <= 0) {
    throw new StreamwrightError('TOPOLOGY_INVALID', `${what} must be a positive whole number of milliseconds, got ${ms}. ${fix}`, { value: ms });
  }
  return ms;
}

function grace(ms: number): number {
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms < 0) {
    throw new StreamwrightError('TOPOLOGY_INVALID', `A grace period must be zero or more whole milliseconds, got ${ms}. Use the ...WithNoGrace variant for no grace.`, { value: ms });
  }
  return ms;
}

/** Tumbling windows, or hopping windows with advanceBy() (Kafka Streams' TimeWindows). */
export class TimeWindows {
  private constructor(readonly spec: TimeWindowSpec) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    const size = positive('A window size', sizeMs, 'Give the window a size, e.g. TimeWindows.ofSizeWithNoGrace(10_000).');
    return new TimeWindows({ type: 'time', sizeMs: size, advanceMs: size, graceMs: grace(graceMs) });
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    positive('A window advance', advanceMs, 'Use an advance between 1 ms and the window size.');
    if (advanceMs > this.spec.sizeMs) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `A window advance (${advanceMs} ms) cannot exceed the window size (${this.spec.sizeMs} ms).`, { advanceMs, sizeMs: this.spec.sizeMs });
    }
    return new TimeWindows({ ...this.spec, advanceMs });
  }
}

/** Sliding windows (Kafka Streams' SlidingWindows): records within timeDifference of each other. */
export class SlidingWindows {
  private constructor(readonly spec: SlidingWindowSpec) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows({ type: 'sliding', timeDifferenceMs: positive('A sliding window time difference', timeDifferenceMs, 'Use e.g. SlidingWindows.ofTimeDifferenceWithNoGrace(5_000).'), graceMs: grace(graceMs) });
  }
}

/** Session windows (Kafka Streams' SessionWindows): activity separated by an inactivity gap. */
export class SessionWindows {
  private constructor(readonly spec: SessionWindowSpec) {}

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(gapMs, 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows({ type: 'session', gapMs: positive('A session inactivity gap', gapMs, 'Use e.g. SessionWindows.ofInactivityGapWithNoGrace(30_000).'), graceMs: grace(graceMs) });
  }
}
