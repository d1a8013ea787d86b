/**
 * The join crash tests' inputs and checks (fixtures/join-crash-model.ts), checked on their own:
 * the inputs have the shape that makes the reference results independent of processing order and
 * of restarts, the references equal order-free closed forms, and each check fails on the faults
 * it exists to catch (a duplicate, a loss, a foreign result, a stale or repeated FK update).
 */
import { describe, expect, it } from 'vitest';
import { show, streamStreamModel, type Out, type SideRecord } from '../reference/joins/join-models.js';
import { describeJoin, ForeignKeyJoinModel, type LeftRow } from '../reference/fk/foreign-key-join-model.js';
import { prng } from '../reference/random-input.js';
import {
  checkFkAtLeastOnce,
  checkFkExact,
  checkFkFinal,
  checkStreamAtLeastOnce,
  checkStreamExact,
  generateJoinInput,
  INNER_WINDOWS,
  JITTER_MS,
  LEFT_WINDOWS,
  maxDisorder,
  PARTITIONS,
  referenceInner,
  referenceLeft,
  resultId,
  TICK_KEY,
  type FkOut,
  type FkRec,
  type StreamRec,
} from './fixtures/join-crash-model.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => 7_000 + i * 31);

/** Order-free statement of a join over whole inputs with nothing expired and every window closed:
 * each pair within the window, at the later timestamp; left join: each unpaired left record with null. */
function closedForm(input: readonly StreamRec[], w: { before: number; after: number }, left: boolean): string[] {
  const out: string[] = [];
  for (const l of input) {
    if (l.side !== 'L') continue;
    const partners = input.filter((r) => r.side === 'R' && r.partition === l.partition && r.key === l.key && r.ts >= l.ts - w.before && r.ts <= l.ts + w.after);
    for (const r of partners) out.push(resultId({ key: l.key, value: show(l.id, r.id), ts: Math.max(l.ts, r.ts) }));
    if (left && partners.length === 0) out.push(resultId({ key: l.key, value: show(l.id, null), ts: l.ts }));
  }
  return out.sort();
}

const ids = (outs: readonly Out[]) => outs.map(resultId).sort();

/** A random merge of a partition's two topics, each kept in its own order. */
function interleave(rnd: () => number, input: readonly StreamRec[], p: number): SideRecord[] {
  const queues = (['L', 'R'] as const).map((side) => input.filter((r) => r.partition === p && r.side === side));
  const out: SideRecord[] = [];
  while (queues[0].length + queues[1].length > 0) {
    const q = queues[0].length === 0 ? queues[1] : queues[1].length === 0 ? queues[0] : queues[rnd() < 0.5 ? 0 : 1];
    const r = q.shift()!;
    out.push({ side: r.side, key: r.key, value: r.id, ts: r.ts });
  }
  return out;
}

/** What a join whose updates took effect one at a time would emit: each change of a key's result. */
function sequentialFkOutput(steps: readonly FkRec[], leftJoin: boolean): FkOut[] {
  const model = new ForeignKeyJoinModel<LeftRow, string, string>((row) => row.fk, describeJoin, leftJoin);
  const out: FkOut[] = [];
  let before = new Map<string, string>();
  for (const s of steps) {
    if (s.side === 'left') model.putLeft(s.key, s.value as LeftRow | null);
    else model.putRight(s.key, s.value as string | null);
    const after = model.results();
    for (const k of new Set([...before.keys(), ...after.keys()])) if (before.get(k) !== after.get(k)) out.push({ key: k, value: after.get(k) ?? null });
    before = after;
  }
  return out;
}

describe('join crash inputs', () => {
  it('left join input: a timestamp falls behind its partition less than JITTER_MS <= min(after, grace); the last record per partition is a tick past every window', () => {
    expect(JITTER_MS).toBeLessThanOrEqual(Math.min(LEFT_WINDOWS.after, LEFT_WINDOWS.grace));
    for (const seed of SEEDS) {
      const { left } = generateJoinInput(seed, 4);
      expect(maxDisorder(left), `seed ${seed}`).toBeLessThan(JITTER_MS);
      for (let p = 0; p < PARTITIONS; p++) {
        const recs = left.filter((r) => r.partition === p);
        const tick = recs[recs.length - 1];
        expect(tick.key).toBe(TICK_KEY);
        expect(Math.max(...recs.slice(0, -1).map((r) => r.ts)) + LEFT_WINDOWS.after + LEFT_WINDOWS.grace).toBeLessThan(tick.ts);
      }
    }
  });

  it('inner join input: the grace period exceeds the whole time span (no record ever expires)', () => {
    for (const seed of SEEDS) {
      const { inner } = generateJoinInput(seed, 4);
      const ts = inner.map((r) => r.ts);
      expect(Math.max(...ts) - Math.min(...ts), `seed ${seed}`).toBeLessThan(INNER_WINDOWS.grace);
    }
  });

  it('FK input: a left row changes at most once per part, and no row is deleted while missing', () => {
    for (const seed of SEEDS) {
      const { fk } = generateJoinInput(seed, 4);
      const live = new Set<string>();
      for (let part = 0; part < 4; part++) {
        const left = fk.filter((s) => s.part === part && s.side === 'left').map((s) => s.key);
        expect(new Set(left).size, `seed ${seed} part ${part}`).toBe(left.length);
      }
      for (const s of fk) {
        if (s.value === null) expect(live.has(`${s.side}/${s.key}`), `seed ${seed} step ${s.id}`).toBe(true);
        if (s.value === null) live.delete(`${s.side}/${s.key}`);
        else live.add(`${s.side}/${s.key}`);
      }
      expect(fk.filter((s) => s.side === 'right').length).toBeGreaterThan(fk.length / 3);
    }
  });
});

describe('join crash references', () => {
  it('equal the order-free closed forms (so they hold whatever order and stream time a restarted task sees)', () => {
    for (const seed of SEEDS) {
      const input = generateJoinInput(seed, 4);
      const inner = ids(referenceInner(input.inner));
      expect(inner, `seed ${seed}`).toEqual(closedForm(input.inner, INNER_WINDOWS, false));
      expect(ids(referenceLeft(input.left)), `seed ${seed}`).toEqual(closedForm(input.left, LEFT_WINDOWS, true));
      expect(inner.length).toBeGreaterThan(20);
      expect(referenceLeft(input.left).filter((o) => o.value?.endsWith('+∅')).length, `seed ${seed}: some left results are null results`).toBeGreaterThan(10);
    }
  });

  it('inner join: any merge of the two topics gives the same results', () => {
    for (const seed of SEEDS) {
      const input = generateJoinInput(seed, 4);
      const rnd = prng(seed);
      const merged = Array.from({ length: PARTITIONS }, (_, p) => streamStreamModel(interleave(rnd, input.inner, p), INNER_WINDOWS, 'inner')).flat();
      expect(ids(merged), `seed ${seed}`).toEqual(ids(referenceInner(input.inner)));
    }
  });
});

describe('join crash checks', () => {
  const input = generateJoinInput(11, 4);
  const ref = referenceLeft(input.left);

  it('stream exact: passes the reference in any order; flags a duplicate, a loss and a foreign result', () => {
    expect(checkStreamExact('left', [...ref].reverse(), ref)).toEqual([]);
    expect(checkStreamExact('left', [...ref, ref[3]], ref).join('\n')).toContain(`${resultId(ref[3])} emitted 2 times, reference 1`);
    expect(checkStreamExact('left', ref.slice(1), ref).join('\n')).toContain(`${resultId(ref[0])} emitted 0 times`);
    const foreign = { ...ref[0], value: show(ref.length + 1000, null) };
    expect(checkStreamExact('left', [...ref.slice(1), foreign], ref).join('\n')).toContain('not a reference result');
  });

  it('stream at-least-once: accepts repeated results; flags a loss and a foreign result', () => {
    const r = checkStreamAtLeastOnce('left', [...ref, ref[0], ref[0], ref[5]], ref);
    expect(r).toEqual({ problems: [], extraCopies: 3 });
    expect(checkStreamAtLeastOnce('left', [...ref.slice(1), ref[2]], ref).problems.join('\n')).toContain('lost');
    expect(checkStreamAtLeastOnce('left', [...ref, { ...ref[0], ts: ref[0].ts + 1 }], ref).problems.join('\n')).toContain('not a reference result');
  });

  for (const leftJoin of [false, true]) {
    it(`FK checks (${leftJoin ? 'leftJoin' : 'join'}): a one-update-at-a-time run passes; exact flags a repeated update, a stale one, a wrong join and a lost last update; at-least-once accepts repeats only`, () => {
      const nOf = (o: FkOut) => Number(o.value!.split('|')[0]);
      for (const seed of SEEDS) {
        const { fk } = generateJoinInput(seed, 4);
        const out = sequentialFkOutput(fk, leftJoin);
        const at = `seed ${seed}`;
        expect(checkFkExact(out, fk, leftJoin), at).toEqual([]);
        if (leftJoin) expect(out.some((o) => o.value?.endsWith('|null')), at).toBe(true);
        // Two results of one key, the later of a newer left version.
        const i = out.findIndex((o, j) => o.value !== null && out.slice(j + 1).some((x) => x.key === o.key && x.value !== null && nOf(x) > nOf(o)));
        const later = out.findIndex((o, j) => j > i && o.key === out[i].key && o.value !== null && nOf(o) > nOf(out[i]));
        expect(checkFkExact([...out.slice(0, i + 1), out[i], ...out.slice(i + 1)], fk, leftJoin).join('\n'), at).toContain('duplicate');
        expect(checkFkExact([...out, out[i]], fk, leftJoin).join('\n'), at).toMatch(/stale/);
        const swapped = [...out];
        [swapped[i], swapped[later]] = [swapped[later], swapped[i]];
        expect(checkFkExact(swapped, fk, leftJoin).join('\n'), at).toMatch(/stale/);
        const [n, fkey] = out[i].value!.split('|');
        const wrong = [...out.slice(0, i), { key: out[i].key, value: `${n}|${fkey}|${fkey === 'c0' ? 'c1' : 'c0'}#0` }, ...out.slice(i + 1)];
        expect(checkFkExact(wrong, fk, leftJoin).join('\n'), at).toMatch(/not a value of customer/);
        const otherFk = `${n}|${fkey === 'c0' ? 'c1' : 'c0'}|${out[i].value!.split('|')[2]}`;
        expect(checkFkExact([...out.slice(0, i), { key: out[i].key, value: otherFk }, ...out.slice(i + 1)], fk, leftJoin).join('\n'), at).toMatch(/never had left value/);
        const lastOfKey = out.map((o) => o.key).lastIndexOf(out[i].key);
        expect(checkFkFinal([...out.slice(0, lastOfKey), ...out.slice(lastOfKey + 1)], fk, leftJoin).join('\n'), at).toContain('final result table');
        if (!leftJoin) expect(checkFkExact([...out, { key: out[i].key, value: `${n}|${fkey}|null` }], fk, false).join('\n'), at).toMatch(/not a value of customer/);
        // at-least-once: repeats and older results are fine, a wrong join or final value is not.
        expect(checkFkAtLeastOnce([...out.slice(0, later), out[i], out[later], out[i], ...out.slice(later)], fk, leftJoin), at).toEqual([]);
        expect(checkFkAtLeastOnce(wrong, fk, leftJoin).join('\n'), at).toMatch(/not a value of customer/);
        expect(checkFkAtLeastOnce([...out, out[i]], fk, leftJoin).join('\n'), at).toContain('final result table');
      }
    });
  }
});
