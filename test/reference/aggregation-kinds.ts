/**
 * The aggregations the property tests run, as plain functions for the reference models. The same
 * functions are handed to the DSL; the models only share these tiny lambdas, never the operators' logic.
 */
export type AggKind = 'count' | 'reduce' | 'aggregate';

export interface AggFns<A> {
  readonly init: () => A | undefined;
  readonly add: (agg: A | undefined, value: number) => A;
  /** Removes a value (KTable re-aggregation). */
  readonly subtract: (agg: A, value: number) => A;
  /** Merges two session aggregates, older session first. */
  readonly merge: (older: A, newer: A) => A;
}

/** count: records; reduce: sum (no initial value); aggregate: the values as a sorted list in a string
 * (order-independent, so sessions merged in any order give one answer; subtract removes one occurrence). */
export function aggFns(kind: AggKind): AggFns<number | string> {
  switch (kind) {
    case 'count':
      return { init: () => 0, add: (a) => (a as number) + 1, subtract: (a) => (a as number) - 1, merge: (a, b) => (a as number) + (b as number) };
    case 'reduce':
      return { init: () => undefined, add: (a, v) => (a === undefined ? v : (a as number) + v), subtract: (a, v) => (a as number) - v, merge: (a, b) => (a as number) + (b as number) };
    case 'aggregate':
      return { init: () => '', add: (a, v) => sortedAdd(a as string, v), subtract: (a, v) => sortedRemove(a as string, v), merge: (a, b) => sortedMerge(a as string, b as string) };
  }
}

function parse(s: string): number[] {
  return s === '' ? [] : s.split(',').map(Number);
}

function format(xs: number[]): string {
  return xs.sort((x, y) => x - y).join(',');
}

export function sortedAdd(agg: string, v: number): string {
  return format([...parse(agg), v]);
}

export function sortedRemove(agg: string, v: number): string {
  const xs = parse(agg);
  const i = xs.indexOf(v);
  if (i >= 0) xs.splice(i, 1);
  return format(xs);
}

export function sortedMerge(a: string, b: string): string {
  return format([...parse(a), ...parse(b)]);
}

/** Arrival-order concatenation: an order-sensitive aggregate for time windows and plain aggregations. */
export function concatAdd(agg: string, v: number): string {
  return agg === '' ? String(v) : `${agg};${v}`;
}
