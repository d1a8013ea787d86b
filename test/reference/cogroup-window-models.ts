/**
 * Reference models of cogrouped windowed aggregations, written from the Kafka Streams semantics
 * (CogroupedStreamAggregateBuilder: one aggregation processor per input, all on one store), not
 * from the operators:
 *   - each input's processor judges lateness by its own stream time (the largest timestamp it has
 *     aggregated), as every Kafka Streams processor keeps its own observedStreamTime;
 *   - the shared store forgets windows by the largest stream time any of them reached: a window
 *     whose end <= that time - retention is gone (reads miss it, writes to it are dropped).
 * Records are taken in arrival order; a record with a null value is skipped before anything.
 */
import type { InputRecord } from './random-input.js';
import { windowId, type WindowMap } from './window-models.js';

/** A record of one of the cogrouped input topics (input = its index in the cogroup). */
export interface CogroupRecord extends InputRecord {
  readonly input: number;
}

export interface CogroupFns<A> {
  readonly init: () => A;
  /** The aggregator of input `input`. */
  readonly add: (input: number, agg: A, value: number) => A;
  /** Session merger: the older aggregate first. */
  readonly merge: (older: A, newer: A) => A;
}

type Valid = CogroupRecord & { value: number };

/** A model's windows, and how many records the operators drop as late (dropped-records-total, reason "late"). */
export interface CogroupModel<A> {
  readonly windows: WindowMap<A>;
  readonly late: number;
}

function valid(r: CogroupRecord): r is Valid {
  return r.value !== null;
}

/** Per-input stream times and the shared store's stream time, advanced record by record. */
class Clocks {
  private readonly inputs = new Map<number, number>();
  store = -1;

  /** The input's stream time including `r`. */
  observe(r: Valid): number {
    const t = Math.max(this.inputs.get(r.input) ?? -1, r.ts);
    this.inputs.set(r.input, t);
    return t;
  }

  of(input: number): number {
    return this.inputs.get(input) ?? -1;
  }
}

/** Tumbling/hopping windows [start, start + size): a record updates each window containing it that
 * is open for its input (end > stream time - grace) and not yet forgotten by the store (retention
 * is the store's, at least size + grace). */
export function cogroupTimeWindowModel<A>(records: readonly CogroupRecord[], size: number, advance: number, grace: number, retention: number, fns: CogroupFns<A>): CogroupModel<A> {
  const out: WindowMap<A> = new Map();
  const clocks = new Clocks();
  let late = 0;
  for (const r of records) {
    if (!valid(r)) continue;
    const mine = clocks.observe(r);
    let closed = false;
    for (let start = 0; start <= r.ts; start += advance) {
      const end = start + size;
      if (r.ts >= end) continue;
      if (end <= mine - grace) closed = true;
      if (end <= mine - grace || end <= clocks.store - retention) continue;
      const id = windowId(r.key, start, end);
      const prev = out.get(id);
      out.set(id, { key: r.key, start, end, value: fns.add(r.input, prev === undefined ? fns.init() : prev.value, r.value) });
    }
    if (closed) late++;
    clocks.store = Math.max(clocks.store, mine);
  }
  return { windows: out, late };
}

/**
 * The records the sliding-window model covers exactly. Kept: records entirely late for their own
 * input (t + 1 + td <= its stream time - grace; dropped by the operator) and records on time for
 * every window containing them. Removed: records partly late for their input (Kafka's algorithm
 * creates some of their windows only; the single-stream worked examples test those), and records
 * whose windows the shared store may already have forgotten (a window ending at t - td is gone once
 * t - td <= store time - retention; possible only when another input is far ahead). With
 * `forSuppress`, also records that would update a window whose final result
 * suppress(untilWindowCloses) may already have emitted (t < store time - grace): Kafka Streams
 * emits such a window a second time, which is no longer a final result.
 */
export function cogroupSlidingInputs(records: readonly CogroupRecord[], td: number, grace: number, retention: number, forSuppress: boolean): CogroupRecord[] {
  const clocks = new Clocks();
  const out: CogroupRecord[] = [];
  for (const r of records) {
    if (!valid(r)) {
      out.push(r);
      continue;
    }
    const close = Math.max(clocks.of(r.input), r.ts) - grace;
    if (r.ts + 1 + td <= close) {
      out.push(r);
      continue;
    }
    if (r.ts < close) continue;
    if (r.ts - td <= clocks.store - retention) continue;
    if (forSuppress && r.ts < clocks.store - grace) continue;
    clocks.store = Math.max(clocks.store, clocks.observe(r));
    out.push(r);
  }
  return out;
}

/**
 * Sliding windows of `td` over records kept by cogroupSlidingInputs: for each aggregated record at
 * t the window [t - td, t] ([0, td] when t < td), and [t + 1, t + 1 + td] when a record of the key
 * falls in it; each window's value aggregates every aggregated record of its key in its range.
 */
export function cogroupSlidingWindowModel<A>(records: readonly CogroupRecord[], td: number, grace: number, fns: CogroupFns<A>): CogroupModel<A> {
  const clocks = new Clocks();
  const accepted: Valid[] = [];
  let late = 0;
  for (const r of records) {
    if (!valid(r)) continue;
    const mine = clocks.observe(r);
    if (r.ts + 1 + td > mine - grace) accepted.push(r);
    else late++;
  }
  const out: WindowMap<A> = new Map();
  const starts = new Map<string, { key: string; start: number }>();
  for (const a of accepted) {
    const left = a.ts < td ? 0 : a.ts - td;
    starts.set(windowId(a.key, left, left + td), { key: a.key, start: left });
    if (accepted.some((b) => b.key === a.key && b.ts > a.ts && b.ts <= a.ts + 1 + td)) starts.set(windowId(a.key, a.ts + 1, a.ts + 1 + td), { key: a.key, start: a.ts + 1 });
  }
  for (const [id, w] of starts) {
    const end = w.start + td;
    let value = fns.init();
    for (const a of accepted) if (a.key === w.key && a.ts >= w.start && a.ts <= end) value = fns.add(a.input, value, a.value);
    out.set(id, { key: w.key, start: w.start, end, value });
  }
  return { windows: out, late };
}

interface Member {
  readonly input: number;
  readonly value: number;
  readonly ts: number;
}

interface Session {
  readonly start: number;
  end: number;
  readonly members: Member[];
}

/**
 * Session windows: records of a key within `gap` of each other form one session [first, last].
 * A record is dropped when the session it would form ends before its input's stream time - gap -
 * grace (Kafka Streams 3.0+), and lost when that session ends at or before store time - retention
 * (the write to an expired session is dropped). Sessions ending at or before store time - retention
 * are forgotten: later records no longer merge with them. Sessions are recomputed from their
 * records by clustering, not merged incrementally, so the model shares no merge logic with the operator.
 */
export function cogroupSessionWindowModel<A>(records: readonly CogroupRecord[], gap: number, grace: number, retention: number, fns: CogroupFns<A>): CogroupModel<A> {
  const live = new Map<string, Member[]>();
  const forgotten: (Session & { key: string })[] = [];
  const clocks = new Clocks();
  let late = 0;
  for (const r of records) {
    if (!valid(r)) continue;
    const storeTime = clocks.store;
    const mine = clocks.observe(r);
    const kept: Member[] = [];
    for (const s of sessionsOf(live.get(r.key) ?? [], gap)) {
      if (s.end <= storeTime - retention) forgotten.push({ key: r.key, ...s });
      else kept.push(...s.members);
    }
    const candidate: Member = { input: r.input, value: r.value, ts: r.ts };
    const session = sessionsOf([...kept, candidate], gap).find((s) => s.members.includes(candidate))!;
    if (session.end < mine - gap - grace) late++;
    else if (session.end > storeTime - retention) kept.push(candidate);
    live.set(r.key, kept);
    clocks.store = Math.max(clocks.store, mine);
  }
  const out: WindowMap<A> = new Map();
  const all = [...forgotten];
  for (const [key, members] of live) for (const s of sessionsOf(members, gap)) all.push({ key, ...s });
  for (const s of all) {
    let value = fns.init();
    for (const m of s.members) value = fns.add(m.input, value, m.value);
    out.set(windowId(s.key, s.start, s.end), { key: s.key, start: s.start, end: s.end, value });
  }
  return { windows: out, late };
}

function sessionsOf(members: readonly Member[], gap: number): Session[] {
  const sorted = [...members].sort((a, b) => a.ts - b.ts);
  const out: Session[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && m.ts - last.end <= gap) {
      last.end = m.ts;
      last.members.push(m);
    } else out.push({ start: m.ts, end: m.ts, members: [m] });
  }
  return out;
}

/** suppress(untilWindowCloses) stream time: the largest timestamp of a record some input aggregated. */
export function cogroupFinalStreamTime(records: readonly CogroupRecord[]): number {
  let t = -1;
  for (const r of records) if (r.value !== null) t = Math.max(t, r.ts);
  return t;
}
