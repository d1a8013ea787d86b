import type { Cancellable, PunctuationType } from '../graph/processor-types.js';

interface Schedule {
  next: number;
  readonly interval: number;
  readonly callback: (timestamp: number) => void;
  cancelled: boolean;
}

/**
 * Punctuations of one type in a task, fired in due order. As in Kafka Streams: stream-time
 * schedules are aligned to 0 (the first record fires them), wall-clock schedules start one interval
 * from now, and missed intervals are skipped rather than fired back to back.
 */
export class PunctuationQueue {
  private schedules: Schedule[] = [];

  constructor(readonly type: PunctuationType) {}

  schedule(intervalMs: number, start: number, callback: (timestamp: number) => void): Cancellable {
    const s: Schedule = { next: start, interval: intervalMs, callback, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.schedules = this.schedules.filter((x) => x !== s);
      },
    };
  }

  get size(): number {
    return this.schedules.length;
  }

  /** Fires every schedule due at `now`; returns whether any fired. */
  mayPunctuate(now: number): boolean {
    if (now < 0 || this.schedules.length === 0) return false;
    let fired = false;
    for (;;) {
      let due: Schedule | undefined;
      for (const s of this.schedules) if (s.next <= now && (!due || s.next < due.next)) due = s;
      if (!due) return fired;
      let next = due.next + due.interval;
      if (now >= next) next = due.next + (Math.floor((now - due.next) / due.interval) + 1) * due.interval;
      due.next = next;
      fired = true;
      due.callback(now);
    }
  }
}
