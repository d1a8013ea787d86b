import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { BackendLease } from '../../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../../src/runtime/streams-app.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { appTestScope, createTopics, openLog, produce, silentLogger, tempDir, waitForRecords } from '../fixtures/app-test-helpers.js';

const S = Serdes.String();

function topology() {
  const b = new StreamsBuilder();
  const left = b.table<string, string>('ttr-left', { keySerde: S, valueSerde: S }, { storeName: 'ttr-left-store' });
  const right = b.table<string, string>('ttr-right', { keySerde: S, valueSerde: S }, { storeName: 'ttr-right-store' });
  left.join(right, (l, r) => `${l}+${r}`).toStream().to('ttr-out', { keySerde: S, valueSerde: S });
  return b.build();
}

describe('table-table join timestamps across a restart', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  for (const keepState of [false, true]) {
    it(`a right row restored ${keepState ? 'from LevelDB and the changelog tail' : 'from its changelog into a fresh state dir'} keeps its timestamp for the join`, async () => {
      const dir = tempDir('sw-ttr-');
      lease = track(await openLog(dir));
      const log = lease.backend;
      await createTopics(log, [{ name: 'ttr-left', partitions: 1 }, { name: 'ttr-right', partitions: 1 }, { name: 'ttr-out', partitions: 1 }]);
      // No record cache: each table update reaches the join once (cached, both sides' flushes may each emit).
      const config = { 'application.id': 'ttr', 'log.dir': dir, 'state.dir': path.join(dir, 'state-1'), 'commit.interval.ms': 50, 'poll.ms': 20, 'statestore.cache.max.bytes': 0 };
      const first = new StreamsApp(topology(), config, { logger: silentLogger });
      apps.push(first);
      await first.start();
      await produce(log, 'ttr-right', [{ key: 'a', value: 'R' }], { timestamp: 5_000 });
      await produce(log, 'ttr-left', [{ key: 'b', value: 'L' }], { timestamp: 6_000 }); // no partner: marks progress
      await produce(log, 'ttr-right', [{ key: 'b', value: 'R' }], { timestamp: 6_500 });
      expect((await waitForRecords(log, 'ttr-out', 1, 15_000)).map((r) => [r.key, r.value, r.timestamp])).toEqual([['b', 'L+R', 6_500]]);
      await first.close();

      const second = new StreamsApp(topology(), keepState ? config : { ...config, 'state.dir': path.join(dir, 'state-2') }, { logger: silentLogger });
      apps.push(second);
      await second.start();
      // The left update is older than the right row it joins: the result takes the right row's 5000.
      await produce(log, 'ttr-left', [{ key: 'a', value: 'L' }], { timestamp: 1_000 });
      const out = await waitForRecords(log, 'ttr-out', 2, 15_000);
      expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['b', 'L+R', 6_500],
        ['a', 'L+R', 5_000],
      ]);
    }, 60_000);
  }
});
