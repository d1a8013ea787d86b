import { describe, expect, it } from 'vitest';
import type { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { JoinKind, SideRecord } from '../../reference/joins/join-models.js';
import { show, tableTableModel } from '../../reference/joins/join-models.js';
import { describeSideCase, randomSideRecords } from '../../reference/joins/join-inputs.js';
import { prng } from '../../reference/random-input.js';
import { I, runJoin, S } from './join-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);

function joinOf(kind: JoinKind) {
  return (b: StreamsBuilder) => {
    const left = b.table<string, number>('left', { keySerde: S, valueSerde: I });
    const right = b.table<string, number>('right', { keySerde: S, valueSerde: I });
    const joiner = (l: number | null, r: number | null) => show(l, r);
    const materialized = { materialized: { storeName: 'joined', keySerde: S, valueSerde: S } };
    const joined = kind === 'inner' ? left.join(right, joiner, materialized) : kind === 'left' ? left.leftJoin(right, joiner, materialized) : left.outerJoin(right, joiner, materialized);
    return joined.toStream();
  };
}

const L = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'L', key, value, ts });
const R = (key: string | null, value: number | null, ts: number): SideRecord => ({ side: 'R', key, value, ts });

function finalState(driver: ReturnType<typeof runJoin>['driver'], keys: readonly string[]): Map<string, string> {
  const store = driver.getKeyValueStore<string, string>('joined');
  const out = new Map<string, string>();
  for (const k of keys) {
    const v = store.get(k);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

describe('KTable-KTable join', () => {
  it('inner join: results while both sides have a value, deletes propagate as tombstones', () => {
    const { out } = runJoin(joinOf('inner'), [L('a', 1, 1), R('a', 2, 2), L('a', 3, 3), R('a', null, 4), R('a', 5, 5), L('a', null, 6), L('b', 7, 7)]);
    expect(out).toEqual([
      { key: 'a', value: '1+2', ts: 2 },
      { key: 'a', value: '3+2', ts: 3 },
      { key: 'a', value: null, ts: 4 },
      { key: 'a', value: '3+5', ts: 5 },
      { key: 'a', value: null, ts: 6 },
    ]);
  });

  it('left and outer joins emit a result for one side alone', () => {
    const records = [L('a', 1, 1), R('b', 2, 2), R('a', 3, 3), L('a', null, 4)];
    expect(runJoin(joinOf('left'), records).out).toEqual([
      { key: 'a', value: '1+∅', ts: 1 },
      { key: 'a', value: '1+3', ts: 3 },
      { key: 'a', value: null, ts: 4 },
    ]);
    expect(runJoin(joinOf('outer'), records).out).toEqual([
      { key: 'a', value: '1+∅', ts: 1 },
      { key: 'b', value: '∅+2', ts: 2 },
      { key: 'a', value: '1+3', ts: 3 },
      { key: 'a', value: '∅+3', ts: 4 },
    ]);
  });

  it('a result carries the larger timestamp of both sides (Kafka: max of the update and the other row), also in the result store', () => {
    // The right row is newer than the left update that joins it; a later right delete is older than the left row.
    const records = [R('a', 2, 10), L('a', 1, 5), L('a', 3, 12), R('a', null, 7), L('b', 4, 20), R('b', 5, 15)];
    const inner = runJoin(joinOf('inner'), records);
    expect(inner.out).toEqual([
      { key: 'a', value: '1+2', ts: 10 },
      { key: 'a', value: '3+2', ts: 12 },
      { key: 'a', value: null, ts: 12 },
      { key: 'b', value: '4+5', ts: 20 },
    ]);
    expect(inner.driver.getKeyValueStore<string, string>('joined').getWithTimestamp('b')).toEqual({ value: '4+5', timestamp: 20 });
    // Left join: a left row without a right row keeps its own timestamp; the right side's delete
    // is stamped with the left row's (newer) timestamp.
    expect(runJoin(joinOf('left'), [L('a', 1, 5), R('a', 2, 3), R('a', null, 4)]).out).toEqual([
      { key: 'a', value: '1+∅', ts: 5 },
      { key: 'a', value: '1+2', ts: 5 },
      { key: 'a', value: '1+∅', ts: 5 },
    ]);
    // Outer join: a right row alone keeps its timestamp; the left update later joins it at the max.
    expect(runJoin(joinOf('outer'), [R('a', 2, 9), L('a', 1, 4)]).out).toEqual([
      { key: 'a', value: '∅+2', ts: 9 },
      { key: 'a', value: '1+2', ts: 9 },
    ]);
  });

  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join matches the model: every update, and the materialized result`, () => {
      const keys = ['a', 'b', 'c', 'd'];
      for (let seed = 1; seed <= CASES; seed++) {
        const r = prng(seed * 15485863);
        const records = randomSideRecords(seed, { count: 5 + Math.floor(r() * 40), keys: keys.slice(0, 1 + Math.floor(r() * 4)), step: 3, disorder: 10, outOfOrder: 0.3, nulls: 0.25, nullKeys: 0.03 });
        const expected = tableTableModel(records, kind);
        const { out, driver } = runJoin(joinOf(kind), records);
        expect(out, describeSideCase(seed, records)).toEqual(expected.updates);
        expect(finalState(driver, keys), describeSideCase(seed, records)).toEqual(expected.final);
      }
    });

    it(`${kind} join with record caches: the materialized result ends equal to the model's`, () => {
      const keys = ['a', 'b', 'c', 'd'];
      for (let seed = 1; seed <= CASES; seed++) {
        const r = prng(seed * 32452843);
        const records = randomSideRecords(seed, { count: 5 + Math.floor(r() * 40), keys: keys.slice(0, 1 + Math.floor(r() * 4)), step: 3, disorder: 10, outOfOrder: 0.3, nulls: 0.25, nullKeys: 0 });
        const { driver } = runJoin(joinOf(kind), records, { 'statestore.cache.max.bytes': 1 << 20, 'commit.interval.ms': 100 });
        driver.advanceWallClockTime(100);
        driver.advanceWallClockTime(100);
        expect(finalState(driver, keys), describeSideCase(seed, records)).toEqual(tableTableModel(records, kind).final);
      }
    });
  }
});
