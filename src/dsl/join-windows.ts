import type { JoinWindowSpec } from '../graph/join-windows.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

function wholeMs(what: string, ms: number, min: number, fix: string): number {
  if (!Number.isSafeInteger(ms) || ms < min) {
    throw new StreamwrightError('TOPOLOGY_INVALID', `${what} must be a whole number of milliseconds${min === 0 ? ' >= 0' : ''}, got ${ms}. ${fix}`, { value: ms });
  }
  return ms;
}

/**
 * The window of a KStream-KStream join (Kafka Streams' JoinWindows): a left record at time t joins
 * right records with timestamps in [t - before, t + after]. ofTimeDifference* sets before = after;
 * before()/after() make the window asymmetric (either may be negative as long as before + after >= 0).
 * The grace period admits records that arrive out of order up to that long after a window ends;
 * left/outer joins emit a record that found no partner only once its window plus grace has closed.
 */
export class JoinWindows {
  private constructor(readonly spec: JoinWindowSpec) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    const d = wholeMs('A join time difference', timeDifferenceMs, 0, 'E.g. JoinWindows.ofTimeDifferenceWithNoGrace(5_000) joins records at most 5 s apart.');
    const g = wholeMs('A join grace period', graceMs, 0, 'Use ofTimeDifferenceWithNoGrace() for no grace.');
    return new JoinWindows({ beforeMs: d, afterMs: d, graceMs: g });
  }

  /** Right records up to `timeDifferenceMs` before a left record join it. */
  before(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.checked({ ...this.spec, beforeMs: wholeMs('JoinWindows.before()', timeDifferenceMs, Number.MIN_SAFE_INTEGER, 'Pass milliseconds.') });
  }

  /** Right records up to `timeDifferenceMs` after a left record join it. */
  after(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.checked({ ...this.spec, afterMs: wholeMs('JoinWindows.after()', timeDifferenceMs, Number.MIN_SAFE_INTEGER, 'Pass milliseconds.') });
  }

  get beforeMs(): number {
    return this.spec.beforeMs;
  }

  get afterMs(): number {
    return this.spec.afterMs;
  }

  get gracePeriodMs(): number {
    return this.spec.graceMs;
  }

  /** before + after: the span of timestamps one record joins. */
  size(): number {
    return this.spec.beforeMs + this.spec.afterMs;
  }

  private static checked(spec: JoinWindowSpec): JoinWindows {
    if (spec.beforeMs + spec.afterMs < 0) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `A join window must not be negative: before (${spec.beforeMs} ms) + after (${spec.afterMs} ms) < 0. Raise before() or after().`, { beforeMs: spec.beforeMs, afterMs: spec.afterMs });
    }
    return new JoinWindows(spec);
  }
}
