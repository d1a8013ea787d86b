import { prng } from '../random-input.js';
import type { Side, SideRecord } from './join-models.js';

export interface JoinInputShape {
  readonly count: number;
  readonly keys: readonly string[];
  readonly step: number;
  readonly disorder: number;
  readonly outOfOrder: number;
  /** Share of null values (tombstones for tables). */
  readonly nulls: number;
  /** Share of null keys. */
  readonly nullKeys: number;
}

/** Records of both sides interleaved, with duplicate keys and timestamps, out-of-order and late
 * records, null values and null keys. */
export function randomSideRecords(seed: number, shape: JoinInputShape): SideRecord[] {
  const r = prng(seed);
  const out: SideRecord[] = [];
  let clock = Math.floor(r() * 5);
  for (let i = 0; i < shape.count; i++) {
    clock += Math.floor(r() * (shape.step + 1));
    const ts = r() < shape.outOfOrder ? Math.max(0, clock - 1 - Math.floor(r() * shape.disorder)) : clock;
    const side: Side = r() < 0.5 ? 'L' : 'R';
    const key = r() < shape.nullKeys ? null : shape.keys[Math.floor(r() * shape.keys.length)];
    const value = r() < shape.nulls ? null : Math.floor(r() * 100);
    out.push({ side, key, value, ts });
  }
  return out;
}

export function describeSideCase(seed: number, records: readonly SideRecord[]): string {
  return `seed ${seed}: ${records.map((x) => `${x.side}${x.key ?? '∅'}:${x.value ?? '∅'}@${x.ts}`).join(' ')}`;
}
