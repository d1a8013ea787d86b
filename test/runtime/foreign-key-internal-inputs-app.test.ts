import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { joinForeignKey } from '../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import { describeJoin, ForeignKeyJoinModel, randomFkSteps, type LeftRow } from '../reference/fk/foreign-key-join-model.js';
import { prng } from '../reference/random-input.js';
import { createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';

/** Input events: the row they carry is keyed by `id` after groupBy (a key-changing step, so it
 * repartitions); the topic key is the same id so one row's events stay in order. */
interface LeftEvent extends LeftRow {
  readonly id: string;
}
interface RightEvent {
  readonly id: string;
  readonly name: string;
}

const S = Serdes.String();

/** Both tables are built by groupBy().reduce(), so every input of the join's sub-topologies is an internal topic. */
function topology() {
  const b = new StreamsBuilder();
  const left = b
    .stream<string, LeftEvent>('fki-left', { keySerde: S, valueSerde: Serdes.Json<LeftEvent>() })
    .groupBy((_k, e) => e.id, { name: 'left-rows', keySerde: S, valueSerde: Serdes.Json<LeftEvent>() })
    .reduce((_old, e) => e, { storeName: 'left-latest', keySerde: S, valueSerde: Serdes.Json<LeftEvent>() });
  const right = b
    .stream<string, RightEvent>('fki-right', { keySerde: S, valueSerde: Serdes.Json<RightEvent>() })
    .groupBy((_k, e) => e.id, { name: 'right-rows', keySerde: S, valueSerde: Serdes.Json<RightEvent>() })
    .reduce((_old, e) => e, { storeName: 'right-latest', keySerde: S, valueSerde: Serdes.Json<RightEvent>() });
  joinForeignKey(left, right, (row) => row.fk, (row, foreign) => describeJoin(row, foreign?.name ?? null), { name: 'rows-fk', materialized: { storeName: 'rows-joined', valueSerde: S } })
    .toStream()
    .to('fki-out', { keySerde: S, valueSerde: S });
  return b.build();
}

describe('foreign-key join whose tables come from groupBy (inputs are internal topics only)', () => {
  let lease: BackendLease | undefined;
  let app: StreamsApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await lease?.release();
    lease = undefined;
  });

  it('starts on the embedded log, sizes the subscription topics from the upstream inputs, and converges to the model', async () => {
    const dir = tempDir('sw-fki-');
    lease = await openLog(dir);
    const log = lease.backend;
    await createTopics(log, [{ name: 'fki-left', partitions: 3 }, { name: 'fki-right', partitions: 2 }, { name: 'fki-out', partitions: 2 }]);
    // Upserts only: groupBy() drops null values, so a table built this way never deletes rows.
    const steps = randomFkSteps(prng(11), 150, { leftKeys: 10, foreignKeys: 4 }).filter((s) => s.value !== null);
    const model = new ForeignKeyJoinModel<LeftRow, string, string>((row) => row.fk, describeJoin, false);
    const left = steps.flatMap((s) => (s.side === 'left' ? [{ key: s.key, value: JSON.stringify({ id: s.key, ...(s.value as LeftRow) }) }] : []));
    const right = steps.flatMap((s) => (s.side === 'right' ? [{ key: s.key, value: JSON.stringify({ id: s.key, name: s.value as string }) }] : []));
    for (const s of steps) {
      if (s.side === 'left') model.putLeft(s.key, s.value as LeftRow);
      else model.putRight(s.key, s.value as string);
    }
    const appId = 'fki-app';
    app = new StreamsApp(topology(), { 'application.id': appId, 'log.dir': dir, 'state.dir': path.join(dir, 'state'), 'commit.interval.ms': 50, 'poll.ms': 20 }, { logger: silentLogger });
    await app.start();
    const admin = log.admin();
    const names = ['rows-fk-subscription-registration-topic', 'rows-fk-subscription-response-topic', 'left-rows-repartition', 'right-rows-repartition'].map((n) => `${appId}-${n}`);
    const sizes = Object.fromEntries((await admin.describeTopics(names)).map((d) => [d.name.slice(appId.length + 1), d.partitions]));
    await admin.close();
    // Registration: read by the right table's tasks (2, from fki-right); response: by the left table's (3).
    expect(sizes).toEqual({ 'rows-fk-subscription-registration-topic': 2, 'rows-fk-subscription-response-topic': 3, 'left-rows-repartition': 3, 'right-rows-repartition': 2 });

    // Right rows first, then left rows in two rounds, so responses arrive both ways.
    await produce(log, 'fki-right', right, { timestamp: 1_000 });
    await produce(log, 'fki-left', left.slice(0, 40), { timestamp: 2_000 });
    await produce(log, 'fki-left', left.slice(40), { timestamp: 3_000 });
    expect(model.results().size).toBeGreaterThan(3);
    const want = JSON.stringify([...model.results()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    await waitFor('the join result to converge to the model', 30_000, async () => {
      const table = new Map<string, string>();
      for (const r of await readAll(log, 'fki-out')) {
        if (r.value === null) table.delete(r.key!);
        else table.set(r.key!, r.value);
      }
      return JSON.stringify([...table].sort((a, b) => (a[0] < b[0] ? -1 : 1))) === want ? true : undefined;
    }, 100);
  }, 60_000);
});
