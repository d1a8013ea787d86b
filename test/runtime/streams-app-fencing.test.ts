import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsApp, StreamsBuilder, type AppState } from '../../src/index.js';
import { createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';

describe('exactly-once: a fenced task producer', () => {
  it('rejoins instead of failing the app, and the output stays exact', async () => {
    const dir = tempDir();
    const logDir = path.join(dir, 'log');
    const lease = await openLog(logDir);
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .mapValues((v) => v.toUpperCase())
      .to('out', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
    const app = new StreamsApp(b.build(), { 'application.id': 'fence', 'log.dir': logDir, 'state.dir': path.join(dir, 'state'), 'processing.guarantee': 'exactly_once_v2', 'commit.interval.ms': 20 }, { logger: silentLogger });
    const states: AppState[] = [];
    app.onStateChange((s) => states.push(s));
    try {
      await createTopics(lease.backend, [{ name: 'in', partitions: 1 }, { name: 'out', partitions: 1 }]);
      await produce(lease.backend, 'in', [{ key: 'a', value: 'one' }]);
      await app.start();
      await app.waitUntilRunning();
      await waitFor('first output', 10_000, async () => ((await readAll(lease.backend, 'out', 'read_committed')).length === 1 ? true : undefined));

      // A "newer owner" of task 0_0 takes its transactional id: the app's producer is fenced.
      const usurper = lease.backend.producer({ transactionalId: 'fence-0_0' });
      await produce(lease.backend, 'in', [{ key: 'b', value: 'two' }, { key: 'c', value: 'three' }]);

      // Expected independently: every input upper-cased, once each.
      await waitFor('all output after the fence', 15_000, async () => ((await readAll(lease.backend, 'out', 'read_committed')).length >= 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      const out = (await readAll(lease.backend, 'out', 'read_committed')).map((r) => [r.key, r.value]);
      expect(out).toEqual([
        ['a', 'ONE'],
        ['b', 'TWO'],
        ['c', 'THREE'],
      ]);
      expect(states).not.toContain('ERROR');
      expect(app.state).toBe('RUNNING');
      await usurper.close().catch(() => undefined);
    } finally {
      await app.close();
      await lease.release();
    }
  });
});
