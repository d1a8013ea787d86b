/** Deterministic random inputs for the reference-model property tests. */

/** mulberry32: a small seeded PRNG, so every failing case reproduces from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InputRecord {
  readonly key: string;
  /** null = tombstone (skipped by stream aggregations, a delete for tables). */
  readonly value: number | null;
  readonly ts: number;
}

export interface InputShape {
  readonly count: number;
  readonly keys: readonly string[];
  /** Largest forward step of the event-time clock between records. */
  readonly step: number;
  /** Largest backward jump of an out-of-order record. */
  readonly disorder: number;
  /** Share of out-of-order records (0..1). */
  readonly outOfOrder: number;
  /** Share of tombstones (0..1). */
  readonly tombstones: number;
}

/** Records with duplicate keys, out-of-order timestamps (some far behind: late) and tombstones. */
export function randomRecords(seed: number, shape: InputShape): InputRecord[] {
  const r = prng(seed);
  const out: InputRecord[] = [];
  let clock = Math.floor(r() * shape.step * 2);
  for (let i = 0; i < shape.count; i++) {
    clock += Math.floor(r() * (shape.step + 1));
    const ts = r() < shape.outOfOrder ? Math.max(0, clock - 1 - Math.floor(r() * shape.disorder)) : clock;
    const key = shape.keys[Math.floor(r() * shape.keys.length)];
    const value = r() < shape.tombstones ? null : Math.floor(r() * 20) - 5;
    out.push({ key, value, ts });
  }
  return out;
}

/** A short description of a case for failure messages. */
export function describeCase(seed: number, records: readonly InputRecord[]): string {
  return `seed ${seed}: ${records.map((x) => `${x.key}:${x.value === null ? '∅' : x.value}@${x.ts}`).join(' ')}`;
}
