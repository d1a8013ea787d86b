import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../../src/dsl/join-windows.js';
import type { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { JoinKind, SideRecord, Windows } from '../../reference/joins/join-models.js';
import { show, streamStreamModel } from '../../reference/joins/join-models.js';
import { describeSideCase, randomSideRecords } from '../../reference/joins/join-inputs.js';
import { prng } from '../../reference/random-input.js';
import { I, runJoin, S } from './join-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);

function joinOf(kind: JoinKind, w: Windows) {
  return (b: StreamsBuilder) => {
    const left = b.stream<string, number>('left', { keySerde: S, valueSerde: I });
    const right = b.stream<string, number>('right', { keySerde: S, valueSerde: I });
    const windows = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace).before(w.before).after(w.after);
    const joiner = (l: number | null, r: number | null) => show(l, r);
    return kind === 'inner' ? left.join(right, joiner, windows) : kind === 'left' ? left.leftJoin(right, joiner, windows) : left.outerJoin(right, joiner, windows);
  };
}

const L = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'L', key, value, ts });
const R = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'R', key, value, ts });

describe('KStream-KStream join: worked examples (Kafka Streams semantics)', () => {
  const w = { before: 10, after: 10, grace: 0 };

  it('inner join emits each pair within the window once, at the larger timestamp', () => {
    const { out } = runJoin(joinOf('inner', w), [L('a', 1, 100), R('a', 2, 105), R('a', 3, 111), L('a', 4, 112), R('b', 5, 112)]);
    expect(out).toEqual([
      { key: 'a', value: '1+2', ts: 105 },
      { key: 'a', value: '4+2', ts: 112 },
      { key: 'a', value: '4+3', ts: 112 },
    ]);
  });

  it('left join holds an unjoined record until stream time passes its time + after + grace, never a spurious early null', () => {
    const { out } = runJoin(joinOf('left', w), [L('a', 1, 100), R('b', 9, 105), L('c', 2, 110), R('a', 3, 110), R('z', 0, 111)]);
    // a@100 joins the right record at 110 (inside [90, 110]): no null result for it.
    // c@110 is still inside its window at stream time 111.
    expect(out).toEqual([{ key: 'a', value: '1+3', ts: 110 }]);
    const { out: later } = runJoin(joinOf('left', w), [L('a', 1, 100), R('b', 9, 105), L('c', 2, 110), R('z', 0, 121)]);
    expect(later).toEqual([
      { key: 'a', value: '1+∅', ts: 100 },
      { key: 'c', value: '2+∅', ts: 110 },
    ]);
  });

  it('outer join emits both sides of unjoined records, right side first at equal timestamps', () => {
    const { out } = runJoin(joinOf('outer', w), [R('b', 7, 50), L('b', 6, 50), L('a', 1, 50), R('x', 0, 61)]);
    // b joins; a (left) stays pending until stream time > 60; x is pending at the end.
    expect(out).toEqual([
      { key: 'b', value: '6+7', ts: 50 },
      { key: 'a', value: '1+∅', ts: 50 },
    ]);
  });

  it('grace: an out-of-order record within the grace still joins; a null value is dropped and counted, a null key on the outer side is emitted with null at once (KIP-962)', () => {
    const g = { before: 5, after: 5, grace: 20 };
    const { out, driver } = runJoin(joinOf('left', g), [L('a', 1, 100), R('z', 0, 120), R('a', 2, 101), L(null, 3, 120), L('a', null, 120), R(null, 4, 120)]);
    expect(out).toEqual([
      { key: 'a', value: '1+2', ts: 101 },
      { key: null, value: '3+∅', ts: 120 },
    ]);
    // The null value, and the right side's null key (the right side of a left join is not outer).
    expect(driver.metrics().total('dropped-records-total', { reason: 'null-key-or-value' })).toBe(2);
  });

  it('duplicates: several records with the same key and timestamp all join', () => {
    const { out } = runJoin(joinOf('inner', w), [L('a', 1, 10), L('a', 2, 10), R('a', 3, 10), R('a', 4, 10)]);
    expect(out.map((o) => o.value)).toEqual(['1+3', '2+3', '1+4', '2+4']);
  });

  it('buffers are window stores named KSTREAM-JOINTHIS-...-store / KSTREAM-OUTEROTHER-...-store', () => {
    const { driver } = runJoin(joinOf('left', w), []);
    const names = (driver as unknown as { topology: { stores: { name: string }[] } }).topology.stores.map((s) => s.name);
    expect(names).toEqual(['KSTREAM-JOINTHIS-0000000002-store', 'KSTREAM-OUTEROTHER-0000000003-store', 'KSTREAM-OUTERSHARED-0000000005-store']);
  });
});

describe('KStream-KStream join: property tests against the reference model', () => {
  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join matches the model (random windows, grace, disorder, duplicates, nulls)`, () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const r = prng(seed * 7919);
        const w: Windows = { before: Math.floor(r() * 6), after: Math.floor(r() * 6), grace: r() < 0.5 ? 0 : Math.floor(r() * 8) };
        const records = randomSideRecords(seed, { count: 5 + Math.floor(r() * 40), keys: ['a', 'b', 'c'].slice(0, 1 + Math.floor(r() * 3)), step: 3, disorder: 15, outOfOrder: 0.3, nulls: 0.05, nullKeys: 0.05 });
        const expected = streamStreamModel(records, w, kind);
        const { out } = runJoin(joinOf(kind, w), records);
        expect(out, `${kind} ${JSON.stringify(w)} ${describeSideCase(seed, records)}`).toEqual(expected);
      }
    });
  }
});
