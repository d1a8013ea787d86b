import { afterEach, describe, expect, it } from 'vitest';
import { joinForeignKey } from '../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { createHash } from 'node:crypto';
import { splitCombinedKey, subscriptionResponseSerde } from '../../src/graph/foreign-key-wrapper.js';
import { prng } from '../reference/random-input.js';
import { describeJoin, ForeignKeyJoinModel, randomFkSteps, type FkStep, type LeftRow } from '../reference/fk/foreign-key-join-model.js';

const S = Serdes.String();
const J = Serdes.Json<LeftRow>();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

interface Variant {
  readonly leftJoin: boolean;
  readonly materialized: boolean;
  /** Join tables that have no store of their own (the join keeps their values). */
  readonly unmaterializedInputs?: boolean;
}

function build(v: Variant) {
  const b = new StreamsBuilder();
  let left = b.table<string, LeftRow>('left', { keySerde: S, valueSerde: J });
  let right = b.table<string, string>('right', { keySerde: S, valueSerde: S });
  if (v.unmaterializedInputs) {
    left = left.filter(() => true);
    right = right.filter(() => true);
  }
  const joined = joinForeignKey(left, right, (row) => row.fk, (row, foreign) => describeJoin(row, foreign), {
    left: v.leftJoin,
    name: 'fk',
    materialized: v.materialized ? { storeName: 'joined', valueSerde: S } : undefined,
  });
  joined.toStream().to('out', { keySerde: S, valueSerde: S });
  return b.build();
}

/** The subscriptions the right side should hold: (foreign key, left key) of every left row with a foreign key. */
function expectedSubscriptions(model: ForeignKeyJoinModel<LeftRow, string, string>): string[] {
  return [...model.left].filter(([, row]) => row.fk !== null).map(([k, row]) => `${row.fk}/${k}`).sort();
}

async function storedSubscriptions(d: TopologyTestDriver): Promise<string[]> {
  const entries = await d.getKeyValueStore<Buffer, unknown>('fk-subscription-store').readOnly().all();
  return entries.map((e) => {
    const { foreignKey, leftKey } = splitCombinedKey(e.key);
    return `${foreignKey.toString()}/${leftKey.toString()}`;
  }).sort();
}

async function run(seed: number, v: Variant, steps: readonly FkStep[]): Promise<void> {
  driver?.close();
  driver = new TopologyTestDriver(build(v));
  const leftIn = driver.createInputTopic('left', S, J as Serde<LeftRow | null>);
  const rightIn = driver.createInputTopic('right', S, S as Serde<string | null>);
  const out = driver.createOutputTopic('out', S, S);
  const model = new ForeignKeyJoinModel<LeftRow, string, string>((row) => row.fk, describeJoin, v.leftJoin);
  const observed = new Map<string, string>();
  steps.forEach((step, i) => {
    const where = `seed ${seed}, ${JSON.stringify(v)}, step ${i} ${JSON.stringify(step)}`;
    if (step.side === 'left') {
      leftIn.pipeInput(step.key, step.value as LeftRow | null, i);
      model.putLeft(step.key, step.value as LeftRow | null);
    } else {
      rightIn.pipeInput(step.key, step.value as string | null, i);
      model.putRight(step.key, step.value as string | null);
    }
    for (const [k, value] of out.readKeyValuesToList()) {
      // Every update is the current result for its key: never one built from an older left
      // value or foreign key, nor a deleted right row.
      expect(value ?? undefined, `${where}: emitted ${k} -> ${value}`).toEqual(model.result(k as string));
      if (value === null) observed.delete(k as string);
      else observed.set(k as string, value);
    }
    expect(observed, where).toEqual(model.results());
  });
  // Moved and deleted rows unsubscribed: no subscription leaks on the right side.
  expect(await storedSubscriptions(driver), `seed ${seed}, ${JSON.stringify(v)}: subscriptions`).toEqual(expectedSubscriptions(model));
}

describe('foreign-key join against the reference model (TopologyTestDriver)', () => {
  const variants: Variant[] = [
    { leftJoin: false, materialized: false },
    { leftJoin: false, materialized: true },
    { leftJoin: true, materialized: false },
    { leftJoin: true, materialized: true },
    { leftJoin: false, materialized: false, unmaterializedInputs: true },
    { leftJoin: true, materialized: true, unmaterializedInputs: true },
  ];
  for (const v of variants) {
    it(`${v.leftJoin ? 'leftJoin' : 'join'}${v.materialized ? ', materialized' : ''}${v.unmaterializedInputs ? ', inputs without stores' : ''}: random updates, foreign-key changes and tombstones on both sides`, async () => {
      for (let seed = 1; seed <= 12; seed++) await run(seed, v, randomFkSteps(prng(seed), 150, { leftKeys: 6, foreignKeys: 4 }));
    });
  }

  it('a worked example: moving a row to another foreign key retracts the old result and never shows it again', () => {
    driver = new TopologyTestDriver(build({ leftJoin: false, materialized: true }));
    const leftIn = driver.createInputTopic('left', S, J as Serde<LeftRow | null>);
    const rightIn = driver.createInputTopic('right', S, S as Serde<string | null>);
    const out = driver.createOutputTopic('out', S, S);
    rightIn.pipeInput('a', 'A', 1);
    leftIn.pipeInput('o1', { fk: 'a', n: 1 }, 2);
    expect(out.readKeyValuesToList()).toEqual([['o1', '1|a|A']]);
    leftIn.pipeInput('o1', { fk: 'b', n: 2 }, 3); // b has no right row: the inner join result goes away
    expect(out.readKeyValuesToList()).toEqual([['o1', null]]);
    rightIn.pipeInput('a', 'A2', 4); // o1 no longer subscribes to a
    expect(out.readKeyValuesToList()).toEqual([]);
    rightIn.pipeInput('b', 'B', 5);
    expect(out.readKeyValuesToList()).toEqual([['o1', '2|b|B']]);
    rightIn.pipeInput('b', null, 6);
    expect(out.readKeyValuesToList()).toEqual([['o1', null]]);
    leftIn.pipeInput('o1', null, 7); // nothing left to retract under materialization
    expect(out.readKeyValuesToList()).toEqual([]);
    expect(driver.getKeyValueStore<string, string>('joined').get('o1')).toBeUndefined();
  });

  it('drops (and counts) a late response that answers an older left value, and joins one for the current value', () => {
    driver = new TopologyTestDriver(build({ leftJoin: false, materialized: true }));
    const leftIn = driver.createInputTopic('left', S, J);
    const rightIn = driver.createInputTopic('right', S, S);
    const out = driver.createOutputTopic('out', S, S);
    const responses = driver.createInputTopic('topology-test-driver-fk-subscription-response-topic', S, subscriptionResponseSerde);
    const md5 = (row: LeftRow) => createHash('md5').update(JSON.stringify(row)).digest();
    rightIn.pipeInput('a', 'A', 1);
    leftIn.pipeInput('o1', { fk: 'a', n: 1 }, 2);
    leftIn.pipeInput('o1', { fk: 'b', n: 2 }, 3);
    expect(out.readKeyValuesToList()).toEqual([['o1', '1|a|A'], ['o1', null]]);
    // The right side's answer to the first subscription, delayed past the foreign-key change.
    responses.pipeInput('o1', { hash: md5({ fk: 'a', n: 1 }), foreignValue: Buffer.from('A'), partition: 0 }, 4);
    expect(out.readKeyValuesToList()).toEqual([]);
    expect(driver.metrics().total('foreign-key-stale-responses-total')).toBe(1);
    responses.pipeInput('o1', { hash: md5({ fk: 'b', n: 2 }), foreignValue: Buffer.from('B'), partition: 0 }, 5);
    expect(out.readKeyValuesToList()).toEqual([['o1', '2|b|B']]);
  });
});
