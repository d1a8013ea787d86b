import { describe, expect, it } from 'vitest';
import type { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { show, streamTableModel, type SideRecord } from '../../reference/joins/join-models.js';
import { describeSideCase, randomSideRecords } from '../../reference/joins/join-inputs.js';
import { prng } from '../../reference/random-input.js';
import { I, runJoin, S } from './join-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);

function joinOf(leftJoin: boolean, filtered = false) {
  return (b: StreamsBuilder) => {
    const stream = b.stream<string, number>('left', { keySerde: S, valueSerde: I });
    let table = b.table<string, number>('right', { keySerde: S, valueSerde: I });
    // A filter without Materialized is not materialized: the join materializes it itself.
    if (filtered) table = table.filter(() => true);
    const joiner = (v: number, t: number | null) => show(v, t);
    return leftJoin ? stream.leftJoin(table, joiner) : stream.join(table, joiner);
  };
}

const L = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'L', key, value, ts });
const R = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'R', key, value, ts });

describe('KStream-KTable join', () => {
  it('joins each stream record with the table value current when it arrives; table updates never emit', () => {
    const records = [L('a', 1, 1), R('a', 10, 2), L('a', 2, 3), R('a', 11, 4), R('a', null, 5), L('a', 3, 6), L('b', 4, 7)];
    expect(runJoin(joinOf(false), records).out).toEqual([{ key: 'a', value: '2+10', ts: 3 }]);
    expect(runJoin(joinOf(true), records).out).toEqual([
      { key: 'a', value: '1+∅', ts: 1 },
      { key: 'a', value: '2+10', ts: 3 },
      { key: 'a', value: '3+∅', ts: 6 },
      { key: 'b', value: '4+∅', ts: 7 },
    ]);
  });

  it('join drops stream records with a null key or value and counts them', () => {
    const { out, driver } = runJoin(joinOf(false), [R('a', 1, 1), L(null, 2, 2), L('a', null, 3), L('a', 4, 4)]);
    expect(out).toEqual([{ key: 'a', value: '4+1', ts: 4 }]);
    expect(driver.metrics().total('dropped-records-total', { reason: 'null-key-or-value' })).toBe(2);
  });

  it('leftJoin joins a null-key record with null (KIP-962) and drops only the null value', () => {
    const { out, driver } = runJoin(joinOf(true), [R('a', 1, 1), L(null, 2, 2), L('a', null, 3), L('a', 4, 4)]);
    expect(out).toEqual([
      { key: null, value: '2+∅', ts: 2 },
      { key: 'a', value: '4+1', ts: 4 },
    ]);
    expect(driver.metrics().total('dropped-records-total', { reason: 'null-key-or-value' })).toBe(1);
  });

  for (const leftJoin of [false, true]) {
    for (const filtered of [false, true]) {
      it(`${leftJoin ? 'leftJoin' : 'join'}${filtered ? ' (table not materialized)' : ''} matches the model`, () => {
        for (let seed = 1; seed <= CASES; seed++) {
          const r = prng(seed * 104729);
          const records = randomSideRecords(seed, { count: 5 + Math.floor(r() * 40), keys: ['a', 'b', 'c', 'd'].slice(0, 1 + Math.floor(r() * 4)), step: 3, disorder: 10, outOfOrder: 0.3, nulls: 0.2, nullKeys: 0.05 });
          expect(runJoin(joinOf(leftJoin, filtered), records).out, describeSideCase(seed, records)).toEqual(streamTableModel(records, leftJoin));
        }
      });
    }
  }
});
