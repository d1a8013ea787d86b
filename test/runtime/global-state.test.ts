import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { GlobalStateManager } from '../../src/runtime/global-state.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { resolveConfig } from '../../src/runtime/streams-config.js';
import { Serdes } from '../../src/serde/serdes.js';
import type { KeyValueStore } from '../../src/state/store-types.js';
import { createTopics, openLog, produce, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';

const S = Serdes.String();

function manager(dir: string, metrics = new Metrics()): GlobalStateManager {
  const b = new StreamsBuilder();
  b.globalTable('customers', { keySerde: S, valueSerde: S }, { storeName: 'customers-store' });
  b.stream('orders', { keySerde: S, valueSerde: S }).to('out');
  return new GlobalStateManager({ topology: b.build(), config: resolveConfig({ 'application.id': 'gsm', 'log.dir': dir, 'poll.ms': 20, 'max.poll.records': 10 }), metrics, logger: silentLogger });
}

describe('GlobalStateManager on the embedded log', () => {
  let lease: BackendLease | undefined;
  const managers: GlobalStateManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop();
    await lease?.release();
    lease = undefined;
  });

  it('start() resolves with every partition read to its end offset; later records arrive in the background; stop() ends reading', async () => {
    const dir = tempDir('sw-gsm-');
    lease = await openLog(dir);
    const log = lease.backend;
    await createTopics(log, [{ name: 'customers', partitions: 4 }]);
    const expected = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 50 }, (_, i) => ({ key: `c${(i * 7 + round) % 60}`, value: round === 2 && i % 5 === 0 ? null : `v${round}-${i}` }));
      await produce(log, 'customers', batch);
      for (const r of batch) {
        if (r.value === null) expected.delete(r.key);
        else expected.set(r.key, r.value);
      }
    }
    const m = manager(dir);
    managers.push(m);
    await m.start(log);
    // No await between start() and these reads: the store is complete when start() resolves
    // (150 records at max.poll.records=10 would take the background reader 15 polls).
    const store = m.stores.get('customers-store') as KeyValueStore<string, string>;
    for (let i = 0; i < 60; i++) expect(store.get(`c${i}`), `c${i}`).toBe(expected.get(`c${i}`));

    await produce(log, 'customers', [{ key: 'new', value: 'fresh' }, { key: 'c1', value: null }]);
    await waitFor('the background reader to apply updates', 5_000, () => (store.get('new') === 'fresh' && store.get('c1') === undefined ? true : undefined));

    await m.stop();
    expect(m.reads('customers')).toBe(true);
    expect(m.topics()).toEqual(['customers']);
  });

  it('a record the serde cannot read fails restoration with DESERIALIZATION naming topic, partition and offset', async () => {
    const dir = tempDir('sw-gsm-bad-');
    lease = await openLog(dir);
    const log = lease.backend;
    await createTopics(log, [{ name: 'customers', partitions: 1 }]);
    const b = new StreamsBuilder();
    b.globalTable('customers', { keySerde: S, valueSerde: Serdes.Int() });
    b.stream('orders', { keySerde: S, valueSerde: S }).to('out');
    const m = new GlobalStateManager({ topology: b.build(), config: resolveConfig({ 'application.id': 'gsm-bad', 'log.dir': dir }), metrics: new Metrics(), logger: silentLogger });
    managers.push(m);
    await produce(log, 'customers', [{ key: 'k', value: 'not four bytes' }]);
    await expect(m.start(log)).rejects.toMatchObject({ code: 'DESERIALIZATION', message: expect.stringContaining('topic "customers", partition 0, offset 0') });
  });
});
