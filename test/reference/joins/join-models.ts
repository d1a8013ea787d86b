/**
 * Reference models of the joins, in plain TS over whole-history lists (no stores, no batching):
 * the independent expectation the property tests compare the topology's output with. They state
 * Kafka Streams' semantics (3.x) as rules over the input sequence; see docs/joins.md.
 */

export type Side = 'L' | 'R';
export type JoinKind = 'inner' | 'left' | 'outer';

export interface SideRecord {
  readonly side: Side;
  readonly key: string | null;
  readonly value: number | null;
  readonly ts: number;
}

export interface Out {
  /** null only for a left stream-table join's null-key record (KIP-962). */
  readonly key: string | null;
  readonly value: string | null;
  readonly ts: number;
}

/** The joiner every test uses: shows both sides, ∅ for a missing one. */
export const show = (l: number | null, r: number | null): string => `${l ?? '∅'}+${r ?? '∅'}`;

export interface Windows {
  readonly before: number;
  readonly after: number;
  readonly grace: number;
}

interface Buffered {
  readonly side: Side;
  readonly key: string;
  readonly value: number;
  readonly ts: number;
  readonly seq: number;
}

/** KStream-KStream join with Kafka 3.x's "no spurious left/outer results" behaviour. */
export function streamStreamModel(records: readonly SideRecord[], w: Windows, kind: JoinKind): Out[] {
  const out: Out[] = [];
  const buffered: Buffered[] = [];
  let pending: Buffered[] = [];
  let time = -1;
  const retention = w.before + w.after + w.grace;
  records.forEach((rec, seq) => {
    time = Math.max(time, rec.ts);
    const outerHere = kind === 'outer' || (kind === 'left' && rec.side === 'L');
    // KIP-962 (Kafka 3.7): a null key joins nothing; an outer side emits it with null at once.
    if (rec.key === null && rec.value !== null && outerHere) {
      out.push({ key: null, value: rec.side === 'L' ? show(rec.value, null) : show(null, rec.value), ts: rec.ts });
      return;
    }
    if (rec.key === null || rec.value === null) return;
    const key = rec.key;
    const value = rec.value;
    if (kind !== 'inner' && rec.ts === time) {
      const closes = (p: Buffered): boolean => p.ts + (p.side === 'L' ? w.after : w.before) + w.grace < time;
      const closed = pending.filter(closes);
      closed.sort((a, b) => a.ts - b.ts || (a.side !== b.side ? (a.side === 'R' ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : a.seq - b.seq));
      for (const p of closed) out.push({ key: p.key, value: p.side === 'L' ? show(p.value, null) : show(null, p.value), ts: p.ts });
      pending = pending.filter((p) => !closes(p));
    }
    const other: Side = rec.side === 'L' ? 'R' : 'L';
    const [before, after] = rec.side === 'L' ? [w.before, w.after] : [w.after, w.before];
    const from = Math.max(0, rec.ts - before);
    const to = Math.max(0, rec.ts + after);
    const partners = buffered
      .filter((b) => b.side === other && b.key === key && b.ts >= time - retention && b.ts >= from && b.ts <= to)
      .sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    for (const p of partners) {
      pending = pending.filter((x) => !(x.side === other && x.key === key && x.ts === p.ts));
      out.push({ key, value: rec.side === 'L' ? show(value, p.value) : show(p.value, value), ts: Math.max(rec.ts, p.ts) });
    }
    if (partners.length === 0 && outerHere) {
      if (to < time) out.push({ key, value: rec.side === 'L' ? show(value, null) : show(null, value), ts: rec.ts });
      else pending.push({ side: rec.side, key, value, ts: rec.ts, seq });
    }
    if (rec.ts >= time - retention) buffered.push({ side: rec.side, key, value, ts: rec.ts, seq });
  });
  return out;
}

/**
 * KStream-KTable join: side 'L' is the stream, 'R' the table's changelog. A stream record with a
 * null value never joins; one with a null key joins nothing, so only a leftJoin emits it, with null
 * (KIP-962, Kafka Streams 3.7+).
 */
export function streamTableModel(records: readonly SideRecord[], leftJoin: boolean): Out[] {
  const table = new Map<string, number>();
  const out: Out[] = [];
  for (const rec of records) {
    if (rec.side === 'R') {
      if (rec.key === null) continue;
      if (rec.value === null) table.delete(rec.key);
      else table.set(rec.key, rec.value);
      continue;
    }
    if (rec.value === null) continue;
    if (rec.key === null) {
      if (leftJoin) out.push({ key: null, value: show(rec.value, null), ts: rec.ts });
      continue;
    }
    const t = table.get(rec.key);
    if (t !== undefined) out.push({ key: rec.key, value: show(rec.value, t), ts: rec.ts });
    else if (leftJoin) out.push({ key: rec.key, value: show(rec.value, null), ts: rec.ts });
  }
  return out;
}

/** Whether a pair of table values has a join result. */
function hasResult(kind: JoinKind, l: number | null, r: number | null): boolean {
  return kind === 'inner' ? l !== null && r !== null : kind === 'left' ? l !== null : l !== null || r !== null;
}

/**
 * KTable-KTable join. Every change of either table (a delete of a missing key is no change) emits
 * the new result for its key (null: none), unless there was no result before and is none after
 * because the other side is missing and this side has no result by itself. The update's
 * timestamp is the larger of the change's and the other side's current row's (the timestamp of
 * the change that wrote that row), or the change's when the other side has no row.
 */
export function tableTableModel(records: readonly SideRecord[], kind: JoinKind): { updates: Out[]; final: Map<string, string> } {
  const tables: Record<Side, Map<string, number>> = { L: new Map(), R: new Map() };
  /** When each table's current row for a key was written. */
  const written: Record<Side, Map<string, number>> = { L: new Map(), R: new Map() };
  const updates: Out[] = [];
  for (const rec of records) {
    if (rec.key === null) continue;
    const mine = tables[rec.side];
    const old = mine.get(rec.key) ?? null;
    if (rec.value === null && old === null) continue;
    if (rec.value === null) mine.delete(rec.key);
    else mine.set(rec.key, rec.value);
    written[rec.side].set(rec.key, rec.ts);
    const l = tables.L.get(rec.key) ?? null;
    const r = tables.R.get(rec.key) ?? null;
    const oldL = rec.side === 'L' ? old : l;
    const oldR = rec.side === 'R' ? old : r;
    const before = hasResult(kind, oldL, oldR);
    const after = hasResult(kind, l, r);
    const otherMissing = (rec.side === 'L' ? r : l) === null;
    // The side processor only runs when the other side has a value, or this side alone makes results.
    const thisAlone = kind === 'outer' || (kind === 'left' && rec.side === 'L');
    if (otherMissing && !thisAlone) continue;
    if (!before && !after && otherMissing) continue;
    const ts = otherMissing ? rec.ts : Math.max(rec.ts, written[rec.side === 'L' ? 'R' : 'L'].get(rec.key)!);
    updates.push({ key: rec.key, value: after ? show(l, r) : null, ts });
  }
  const final = new Map<string, string>();
  for (const k of new Set([...tables.L.keys(), ...tables.R.keys()])) {
    const l = tables.L.get(k) ?? null;
    const r = tables.R.get(k) ?? null;
    if (hasResult(kind, l, r)) final.set(k, show(l, r));
  }
  return { updates, final };
}
