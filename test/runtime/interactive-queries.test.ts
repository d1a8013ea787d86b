import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, StreamsApp, StreamsBuilder } from '../../src/index.js';
import { TimeWindows } from '../../src/dsl/index.js';
import type { ReadOnlyKeyValueStore, ReadOnlyWindowStore } from '../../src/state/store-types.js';
import { createTopics, openLog, produce, tempDir, waitFor } from './fixtures/app-test-helpers.js';

const apps: StreamsApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

describe('interactive queries (app.store)', () => {
  it('reads key-value and window stores across all local tasks while running', async () => {
    const dir = tempDir();
    const logDir = path.join(dir, 'log');
    const lease = await openLog(logDir);
    try {
      await createTopics(lease.backend, [{ name: 'words', partitions: 3 }]);
      const words = ['a', 'b', 'a', 'c', 'a', 'b', 'd'];
      await produce(lease.backend, 'words', words.map((w, i) => ({ key: w, value: `${w}-${i}` })));
      const b = new StreamsBuilder();
      const grouped = b.stream('words', { keySerde: Serdes.String(), valueSerde: Serdes.String() }).groupByKey();
      grouped.count({ storeName: 'word-counts' });
      grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count({ storeName: 'windowed-counts' });
      const app = new StreamsApp(b.build(), { 'application.id': 'iq', 'log.dir': logDir, 'state.dir': path.join(dir, 'state'), 'commit.interval.ms': 50, 'log.level': 'silent' });
      apps.push(app);
      expect(() => app.store('word-counts')).not.toThrow(); // a view can be made before running...
      await expect(app.store<ReadOnlyKeyValueStore<string, number>>('word-counts').get('a')).rejects.toMatchObject({ code: 'APP_STATE' }); // ...but not read
      await app.start();
      await app.waitUntilRunning();
      expect(app.activeTasks()).toEqual(['0_0', '0_1', '0_2']);

      // Independent expectation: plain counting of the produced words.
      const expected = new Map<string, number>();
      for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
      const kv = app.store<ReadOnlyKeyValueStore<string, number>>('word-counts');
      await waitFor('all words counted', 10_000, async () => ((await kv.get('a')) === 3 && (await kv.get('d')) === 1 ? true : undefined));
      for (const [w, n] of expected) expect(await kv.get(w)).toBe(n);
      expect(await kv.get('zzz')).toBeUndefined();
      const all = (await kv.all()).map((e) => [e.key, e.value]).sort();
      expect(all).toEqual([...expected].sort());
      expect(await kv.approximateNumEntries()).toBe(expected.size);

      // All records have timestamps 1000..1006: one window [1000, 2000) per key.
      const ws = app.store<ReadOnlyWindowStore<string, number>>('windowed-counts');
      expect(await ws.fetch('a', 1_000)).toBe(3);
      expect((await ws.fetchRange('b', 0, 5_000)).map((e) => [e.key.start, e.key.end, e.value])).toEqual([[1_000, 2_000, 2]]);
      expect(() => app.store('nope')).toThrow(/No state store "nope"/);
    } finally {
      for (const a of apps.splice(0)) await a.close();
      await lease.release();
    }
  });
});
