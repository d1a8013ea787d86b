/**
 * Reference models of windowed aggregations, written from the Kafka Streams semantics, not from
 * the operators: each record is taken in arrival order; stream time is the largest timestamp seen
 * so far; a window accepts a record while its end (+ inclusive-end adjustment) is not before
 * stream time - grace. The result is the final aggregate of every window that received records.
 */
import type { AggFns } from './aggregation-kinds.js';
import type { InputRecord } from './random-input.js';

export interface WindowResult<A> {
  readonly key: string;
  readonly start: number;
  /** Time windows: exclusive end; sliding and session windows: inclusive end. */
  readonly end: number;
  readonly value: A;
}

export type WindowMap<A> = Map<string, WindowResult<A>>;

export function windowId(key: string, start: number, end: number): string {
  return `${key}@${start}-${end}`;
}

/** The table a windowed KTable's updates describe: last value per window, deletes removing it. */
export function lastValues<A>(out: readonly { readonly key: { readonly key: string; readonly start: number; readonly end: number }; readonly value: A | null }[]): Map<string, WindowResult<A>> {
  const m = new Map<string, WindowResult<A>>();
  for (const r of out) {
    const id = windowId(r.key.key, r.key.start, r.key.end);
    if (r.value === null) m.delete(id);
    else m.set(id, { key: r.key.key, start: r.key.start, end: r.key.end, value: r.value });
  }
  return m;
}

/** Sorted plain entries, for readable diffs. */
export function entries<A>(m: ReadonlyMap<string, WindowResult<A>>): [string, A][] {
  return [...m.entries()].map(([id, w]) => [id, w.value] as [string, A]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function valid(r: InputRecord): r is InputRecord & { value: number } {
  return r.value !== null;
}

/** Tumbling/hopping windows [start, start + size), starts aligned to multiples of advance. */
export function timeWindowModel<A>(records: readonly InputRecord[], size: number, advance: number, grace: number, fns: AggFns<A>): WindowMap<A> {
  const out: WindowMap<A> = new Map();
  let streamTime = -1;
  for (const r of records) {
    if (!valid(r)) continue;
    streamTime = Math.max(streamTime, r.ts);
    for (let start = 0; start <= r.ts; start += advance) {
      const end = start + size;
      if (r.ts >= end) continue;
      if (end <= streamTime - grace) continue; // the window has closed
      const id = windowId(r.key, start, end);
      const prev = out.get(id);
      out.set(id, { key: r.key, start, end, value: fns.add(prev === undefined ? fns.init() : prev.value, r.value) });
    }
  }
  return out;
}

/**
 * Sliding windows of `td`: for each record at t the window [t - td, t] ([0, td] when t < td), and
 * [t + 1, t + 1 + td] when a record of the key falls in it. A window holds the records in its
 * range that arrived while it was open; a record is dropped outright when even its right window
 * would be closed (t + 1 + td <= stream time - grace).
 */
export function slidingWindowModel<A>(records: readonly InputRecord[], td: number, grace: number, fns: AggFns<A>): WindowMap<A> {
  const accepted: { key: string; value: number; ts: number; closeTime: number }[] = [];
  let streamTime = -1;
  for (const r of records) {
    if (!valid(r)) continue;
    streamTime = Math.max(streamTime, r.ts);
    const closeTime = streamTime - grace;
    if (r.ts + 1 + td <= closeTime) continue;
    accepted.push({ key: r.key, value: r.value, ts: r.ts, closeTime });
  }
  const windows = new Map<string, { key: string; start: number }>();
  for (const a of accepted) {
    const left = a.ts < td ? 0 : a.ts - td;
    windows.set(windowId(a.key, left, left + td), { key: a.key, start: left });
    for (const b of accepted) {
      if (b.key === a.key && b.ts > a.ts && b.ts <= a.ts + 1 + td) windows.set(windowId(a.key, a.ts + 1, a.ts + 1 + td), { key: a.key, start: a.ts + 1 });
    }
  }
  const out: WindowMap<A> = new Map();
  for (const [id, w] of windows) {
    const end = w.start + td;
    let value = fns.init();
    let n = 0;
    for (const a of accepted) {
      if (a.key !== w.key || a.ts < w.start || a.ts > end || end < a.closeTime) continue;
      value = fns.add(value, a.value);
      n++;
    }
    if (n > 0) out.set(id, { key: w.key, start: w.start, end, value: value as A });
  }
  return out;
}

/**
 * Session windows: records of a key within `gap` of each other form one session [first, last].
 * A record is dropped when the session it would form ends before stream time - gap - grace (Kafka
 * Streams 3.0+, KAFKA-12718), or when that session alone ends at or before the stream time before
 * it - gap - grace (the store's retention: the write to an expired session is dropped). Sessions
 * that ended at or before stream time - retention (gap + grace, the store's default) are final:
 * later records no longer merge with them (the store expires them). Sessions are recomputed from the accepted records by
 * clustering, not merged incrementally, so the model does not share the operator's merge logic.
 */
export function sessionWindowModel<A>(records: readonly InputRecord[], gap: number, grace: number, fns: AggFns<A>): WindowMap<A> {
  const live = new Map<string, { value: number; ts: number }[]>();
  const frozen: { key: string; start: number; end: number; records: { value: number; ts: number }[] }[] = [];
  let streamTime = -1;
  for (const r of records) {
    if (!valid(r)) continue;
    // The store drops sessions as stream time advances, after each record: this record still sees
    // the sessions that were alive at the stream time before it.
    const before = streamTime;
    streamTime = Math.max(streamTime, r.ts);
    const mine: { value: number; ts: number }[] = [];
    for (const s of sessionsOf(live.get(r.key) ?? [], gap)) {
      if (s.end <= before - gap - grace) frozen.push({ key: r.key, ...s });
      else mine.push(...s.records);
    }
    const candidate = { value: r.value, ts: r.ts };
    const session = sessionsOf([...mine, candidate], gap).find((s) => s.records.includes(candidate))!;
    if (session.end >= streamTime - gap - grace && session.end > before - gap - grace) mine.push(candidate);
    live.set(r.key, mine);
  }
  const out: WindowMap<A> = new Map();
  const all = [...frozen];
  for (const [key, recs] of live) for (const s of sessionsOf(recs, gap)) all.push({ key, ...s });
  for (const s of all) {
    let value = fns.init();
    for (const x of s.records) value = fns.add(value, x.value);
    out.set(windowId(s.key, s.start, s.end), { key: s.key, start: s.start, end: s.end, value: value as A });
  }
  return out;
}

/**
 * Keeps the records the sliding-window model covers exactly: a record is either on time for every
 * window containing it (t >= stream time - grace) or entirely late (t + 1 + td <= stream time - grace).
 * Records in between are processed by Kafka's algorithm (their left window is not created, their
 * right windows are), which the worked examples test instead.
 */
export function withoutPartlyLateSlidingRecords(records: readonly InputRecord[], td: number, grace: number): InputRecord[] {
  let streamTime = -1;
  const out: InputRecord[] = [];
  for (const r of records) {
    if (r.value === null) {
      out.push(r);
      continue;
    }
    const st = Math.max(streamTime, r.ts);
    const close = st - grace;
    if (r.ts < close && r.ts + 1 + td > close) continue;
    streamTime = st;
    out.push(r);
  }
  return out;
}

function sessionsOf(recs: readonly { value: number; ts: number }[], gap: number): { start: number; end: number; records: { value: number; ts: number }[] }[] {
  const sorted = [...recs].sort((a, b) => a.ts - b.ts);
  const out: { start: number; end: number; records: { value: number; ts: number }[] }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.ts - last.end <= gap) {
      last.end = r.ts;
      last.records.push(r);
    } else out.push({ start: r.ts, end: r.ts, records: [r] });
  }
  return out;
}

/** The windowed operators' stream time after all records: the largest timestamp of a record they
 * aggregate (records with a null value are skipped before they observe it, as in Kafka Streams). */
export function finalStreamTime(records: readonly InputRecord[]): number {
  let t = -1;
  for (const r of records) if (r.value !== null) t = Math.max(t, r.ts);
  return t;
}

/** suppress(untilWindowCloses): the windows whose close time has passed, each exactly once with its final value.
 * `closesAfterEnd` is grace for time windows, grace + 1 for windows with an inclusive end. */
export function closedWindows<A>(model: WindowMap<A>, streamTime: number, closesAfterEnd: number): WindowMap<A> {
  const out: WindowMap<A> = new Map();
  for (const [id, w] of model) if (w.end + closesAfterEnd <= streamTime) out.set(id, w);
  return out;
}
