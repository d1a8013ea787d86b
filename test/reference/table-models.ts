/**
 * Reference models of non-windowed aggregations and KTable operators, as the sequence of updates
 * a KTable emits without the record cache (one per input record, in input order).
 */
import type { AggFns } from './aggregation-kinds.js';
import type { InputRecord } from './random-input.js';

export type Update<V> = readonly [key: string, value: V | null, ts: number];

/** KGroupedStream count/reduce/aggregate: records with a null value are skipped; every other record
 * emits its key's new aggregate, timestamped with the largest timestamp of the key's records so far
 * (Kafka's KStreamAggregate: max(record, stored)). */
export function streamAggregateUpdates<A>(records: readonly InputRecord[], fns: AggFns<A>): Update<A>[] {
  const aggs = new Map<string, A>();
  const times = new Map<string, number>();
  const out: Update<A>[] = [];
  for (const r of records) {
    if (r.value === null) continue;
    const next = fns.add(aggs.has(r.key) ? aggs.get(r.key) : fns.init(), r.value);
    const ts = Math.max(r.ts, times.get(r.key) ?? r.ts);
    aggs.set(r.key, next);
    times.set(r.key, ts);
    out.push([r.key, next, ts]);
  }
  return out;
}

/** builder.table(): the change of each record as (new, old); a tombstone for an absent key changes nothing. */
export function tableChanges(records: readonly InputRecord[]): { key: string; newValue: number | null; oldValue: number | null; ts: number }[] {
  const table = new Map<string, number>();
  const out: { key: string; newValue: number | null; oldValue: number | null; ts: number }[] = [];
  for (const r of records) {
    const old = table.get(r.key) ?? null;
    if (r.value === null) {
      if (old === null) continue;
      table.delete(r.key);
    } else table.set(r.key, r.value);
    out.push({ key: r.key, newValue: r.value, oldValue: old, ts: r.ts });
  }
  return out;
}

/** KTable.filter(): failing values become null; an update that is null before and after is not sent. */
export function tableFilterUpdates(records: readonly InputRecord[], keep: (v: number) => boolean): Update<number>[] {
  const out: Update<number>[] = [];
  for (const c of tableChanges(records)) {
    const n = c.newValue !== null && keep(c.newValue) ? c.newValue : null;
    const o = c.oldValue !== null && keep(c.oldValue) ? c.oldValue : null;
    if (n === null && o === null) continue;
    out.push([c.key, n, c.ts]);
  }
  return out;
}

/**
 * KTable.groupBy(...).count/reduce/aggregate(adder, subtractor): each change first subtracts the
 * old value from its group (one update), then adds the new value to its group (another update).
 * A group's aggregate carries the largest timestamp of the changes applied to it (KTableAggregate).
 */
export function regroupUpdates<A>(records: readonly InputRecord[], groupOf: (v: number) => string, fns: AggFns<A>): Update<A>[] {
  const aggs = new Map<string, A>();
  const times = new Map<string, number>();
  const out: Update<A>[] = [];
  const apply = (g: string, next: A, changeTs: number): void => {
    const ts = Math.max(changeTs, times.get(g) ?? changeTs);
    aggs.set(g, next);
    times.set(g, ts);
    out.push([g, next, ts]);
  };
  for (const c of tableChanges(records)) {
    if (c.oldValue !== null) {
      const g = groupOf(c.oldValue);
      apply(g, fns.subtract(aggs.get(g) as A, c.oldValue), c.ts);
    }
    if (c.newValue !== null) {
      const g = groupOf(c.newValue);
      apply(g, fns.add(aggs.has(g) ? aggs.get(g) : fns.init(), c.newValue), c.ts);
    }
  }
  return out;
}

/** The table an update sequence describes: the last value per key (null deletes). */
export function finalTable<V>(updates: readonly Update<V>[]): [string, V][] {
  const m = new Map<string, V>();
  for (const [k, v] of updates) {
    if (v === null) m.delete(k);
    else m.set(k, v);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
