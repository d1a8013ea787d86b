import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinForeignKey } from '../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Backend } from '../../src/backend/backend-types.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import { prng } from '../reference/random-input.js';
import { describeJoin, ForeignKeyJoinModel, randomFkSteps, type FkStep, type LeftRow } from '../reference/fk/foreign-key-join-model.js';
import { appTestScope, createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor, type ReadRecord } from './fixtures/app-test-helpers.js';

const S = Serdes.String();
const J = Serdes.Json<LeftRow>();

function topology(leftJoin: boolean) {
  const b = new StreamsBuilder();
  const left = b.table<string, LeftRow>('fk-left', { keySerde: S, valueSerde: J });
  const right = b.table<string, string>('fk-right', { keySerde: S, valueSerde: S });
  joinForeignKey(left, right, (row) => row.fk, describeJoin, { left: leftJoin, name: 'orders-customers' }).toStream().to('fk-out', { keySerde: S, valueSerde: S });
  return b.build();
}

/** Produces the steps in order: left rows as JSON, right rows as strings. */
async function produceSteps(log: Backend, steps: readonly FkStep[], ts: number): Promise<void> {
  for (const side of ['left', 'right'] as const) {
    const records = steps.filter((s) => s.side === side).map((s) => ({ key: s.key, value: s.value === null ? null : typeof s.value === 'string' ? s.value : JSON.stringify(s.value) }));
    await produce(log, `fk-${side}`, records, { timestamp: ts });
  }
}

/** Last update per key (one key is always in one output partition, in offset order). */
function finalTable(out: readonly ReadRecord[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const r of out) {
    if (r.value === null) table.delete(r.key!);
    else table.set(r.key!, r.value);
  }
  return table;
}

function sorted(m: Map<string, string>): [string, string][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** No emitted result joins a left value with the right row of another foreign key, and per key
 * results never go back to an older left value (responses to older values are dropped). */
function checkNoStaleResults(out: readonly ReadRecord[]): void {
  const lastN = new Map<string, number>();
  for (const r of out) {
    if (r.value === null) continue;
    const [n, fk, foreign] = r.value.split('|');
    if (foreign !== 'null') expect(foreign.split('#')[0], `${r.key} -> ${r.value}`).toBe(fk);
    expect(Number(n), `${r.key} -> ${r.value} after ${lastN.get(r.key!)}`).toBeGreaterThanOrEqual(lastN.get(r.key!) ?? -1);
    lastN.set(r.key!, Number(n));
  }
}

describe('foreign-key join on the embedded log (StreamsApp, several partitions)', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  const cases = [
    { leftJoin: false, eos: false, instances: 1 },
    { leftJoin: true, eos: true, instances: 2 },
  ];
  for (const { leftJoin, eos, instances } of cases) {
    it(`${leftJoin ? 'leftJoin' : 'join'}${eos ? ', exactly_once_v2' : ''}: left topic with 3 partitions, right with 2; converges to the reference model, across a restart (to ${instances} instance${instances > 1 ? 's' : ''}) that restores the subscriptions`, async () => {
      const dir = tempDir('sw-fk-');
      lease = track(await openLog(dir));
      const log = lease.backend;
      await createTopics(log, [{ name: 'fk-left', partitions: 3 }, { name: 'fk-right', partitions: 2 }, { name: 'fk-out', partitions: 3 }]);
      const seed = leftJoin ? 7 : 3;
      const steps = randomFkSteps(prng(seed), 240, { leftKeys: 12, foreignKeys: 5 });
      const model = new ForeignKeyJoinModel<LeftRow, string, string>((row) => row.fk, describeJoin, leftJoin);
      const appId = `fk-app-${leftJoin ? 'left' : 'inner'}`;
      const config = { 'application.id': appId, 'log.dir': dir, 'state.dir': path.join(dir, 'state'), 'commit.interval.ms': 50, 'poll.ms': 20, ...(eos ? { 'processing.guarantee': 'exactly_once_v2' } : {}) };
      const converge = async (what: string) => {
        const want = sorted(model.results());
        await waitFor(what, 15_000, async () => (JSON.stringify(sorted(finalTable(await readAll(log, 'fk-out', eos ? 'read_committed' : 'read_uncommitted')))) === JSON.stringify(want) ? true : undefined), 100);
      };

      // Phase 1: the join's internal topics take the partition counts of the side that reads them.
      const first = new StreamsApp(topology(leftJoin), config, { logger: silentLogger });
      apps.push(first);
      const cut = 160;
      for (const s of steps.slice(0, cut)) {
        if (s.side === 'left') model.putLeft(s.key, s.value as LeftRow | null);
        else model.putRight(s.key, s.value as string | null);
      }
      await produceSteps(log, steps.slice(0, 80), 1_000);
      await first.start();
      await produceSteps(log, steps.slice(80, cut), 2_000);
      await converge('phase 1 results');
      const parts = new Map((await log.admin().describeTopics([`${appId}-orders-customers-subscription-registration-topic`, `${appId}-orders-customers-subscription-response-topic`])).map((d) => [d.name, d.partitions]));
      expect([...parts.values()]).toEqual([2, 3]);
      await first.close();

      // Phase 2: a new instance restores the in-memory subscription store from its changelog;
      // right-side updates reach the left rows subscribed before the restart.
      for (let i = 0; i < instances; i++) {
        const next = new StreamsApp(topology(leftJoin), { ...config, 'state.dir': path.join(dir, `state-${i}`) }, { logger: silentLogger });
        apps.push(next);
        await next.start();
      }
      // Right-side changes only: results can change only through subscriptions made before the restart.
      const rightOnly = steps.slice(cut).filter((s) => s.side === 'right');
      for (const s of rightOnly) model.putRight(s.key, s.value as string | null);
      await produceSteps(log, rightOnly, 3_000);
      // Every right key changes once more, so every subscription must be found after the restart.
      const touch = ['f0', 'f1', 'f2', 'f3', 'f4'].map((key) => ({ side: 'right' as const, key, value: `${key}#final` }));
      for (const s of touch) model.putRight(s.key, s.value);
      await produceSteps(log, touch, 4_000);
      await converge('phase 2 results');
      checkNoStaleResults(await readAll(log, 'fk-out', eos ? 'read_committed' : 'read_uncommitted'));
    });
  }
});
