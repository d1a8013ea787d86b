import type { TimestampExtractor } from '../graph/processor-types.js';

/** Ready-made timestamp extractors (Kafka Streams' TimestampExtractor implementations). */
export const TimestampExtractors = {
  /** The record's own timestamp (the default). */
  recordTimestamp: (): TimestampExtractor => (_k, _v, recordTimestamp) => recordTimestamp,
  /** Wall-clock time at processing. */
  wallclock: (): TimestampExtractor => () => Date.now(),
  /**
   * A numeric (epoch ms) or ISO-8601 string field of the value. A record without a usable field
   * gets -1, so it is dropped and counted as an invalid timestamp, never silently misplaced.
   */
  field: (name: string): TimestampExtractor => (_k, value) => {
    const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      return Number.isNaN(t) ? -1 : t;
    }
    return -1;
  },
} as const;
