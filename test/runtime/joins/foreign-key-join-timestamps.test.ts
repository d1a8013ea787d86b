import { afterEach, describe, expect, it } from 'vitest';
import { joinForeignKey } from '../../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { describeJoin, ForeignKeyJoinModel, randomFkSteps, type LeftRow } from '../../reference/fk/foreign-key-join-model.js';
import { ForeignKeyTimestampModel } from '../../reference/joins/foreign-key-timestamp-model.js';
import { prng } from '../../reference/random-input.js';

const S = Serdes.String();
const J = Serdes.Json<LeftRow>();
const CASES = Number(process.env.SW_PROPERTY_CASES ?? 30);

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function open(leftJoin: boolean, materialized: boolean) {
  const b = new StreamsBuilder();
  const left = b.table<string, LeftRow>('left', { keySerde: S, valueSerde: J });
  const right = b.table<string, string>('right', { keySerde: S, valueSerde: S });
  joinForeignKey(left, right, (row) => row.fk, describeJoin, { left: leftJoin, name: 'fk', materialized: materialized ? { storeName: 'joined', valueSerde: S } : undefined })
    .toStream()
    .to('out', { keySerde: S, valueSerde: S });
  driver?.close();
  driver = new TopologyTestDriver(b.build());
  return {
    d: driver,
    leftIn: driver.createInputTopic('left', S, J as Serde<LeftRow | null>),
    rightIn: driver.createInputTopic('right', S, S as Serde<string | null>),
    out: driver.createOutputTopic('out', S, S),
  };
}

describe('foreign-key join result timestamps (Kafka Streams)', () => {
  it('a left update joins an existing right row at the larger timestamp; a right update stamps its own', () => {
    const { leftIn, rightIn, out } = open(false, false);
    rightIn.pipeInput('f1', 'F1', 50);
    leftIn.pipeInput('k1', { fk: 'f1', n: 1 }, 10); // the right row is newer: 50
    leftIn.pipeInput('k2', { fk: 'f1', n: 2 }, 70); // the left update is newer: 70
    rightIn.pipeInput('f1', 'F1b', 30); // an older right update answers both at its own 30
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', '1|f1|F1', 50],
      ['k2', '2|f1|F1', 70],
      ['k1', '1|f1|F1b', 30],
      ['k2', '2|f1|F1b', 30],
    ]);
  });

  for (const leftJoin of [false, true]) {
    for (const materialized of [false, true]) {
      it(`${leftJoin ? 'leftJoin' : 'join'}${materialized ? ', materialized' : ''}: every emitted update carries the model's timestamp`, () => {
        for (let seed = 1; seed <= CASES; seed++) {
          const r = prng(seed * 7919);
          const steps = randomFkSteps(r, 60, { leftKeys: 6, foreignKeys: 3 });
          const { leftIn, rightIn, out } = open(leftJoin, materialized);
          const values = new ForeignKeyJoinModel<LeftRow, string, string>((row) => row.fk, describeJoin, leftJoin);
          const stamps = new ForeignKeyTimestampModel();
          let emitted = 0;
          steps.forEach((step, i) => {
            // Timestamps jump back and forth, so which side is newer varies.
            const ts = 1000 + Math.floor(r() * 500);
            if (step.side === 'left') {
              const row = step.value as LeftRow | null;
              leftIn.pipeInput(step.key, row, ts);
              values.putLeft(step.key, row);
              stamps.putLeft(step.key, row === null ? undefined : row.fk, ts);
            } else {
              rightIn.pipeInput(step.key, step.value as string | null, ts);
              values.putRight(step.key, step.value as string | null);
              stamps.putRight(step.key, step.value !== null, ts);
            }
            for (const rec of out.readRecordsToList()) {
              const where = `seed ${seed}, step ${i} ${JSON.stringify(step)}@${ts}: emitted ${rec.key} -> ${rec.value}@${rec.timestamp}`;
              expect(rec.value ?? undefined, where).toEqual(values.result(rec.key as string));
              expect(rec.timestamp, where).toBe(stamps.timestampOf(rec.key as string));
              emitted++;
            }
          });
          expect(emitted).toBeGreaterThan(10);
        }
      });
    }
  }
});
