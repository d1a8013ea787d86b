import { describe, expect, it } from 'vitest';
import { joinGlobal } from '../../src/dsl/joins-global.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { ReadOnlyKeyValueStore } from '../../src/state/store-types.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import { appTestScope, createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor, type KV } from './fixtures/app-test-helpers.js';

const S = Serdes.String();

/** orders (value "<customer>:<item>", customer "-" = none) join the customers global table, inner or left. */
function topology(left: boolean) {
  const b = new StreamsBuilder();
  const customers = b.globalTable<string, string>('customers', { keySerde: S, valueSerde: S }, { storeName: 'customers-store' });
  const orders = b.stream<string, string>('orders', { keySerde: S, valueSerde: S });
  joinGlobal(orders, customers, (_k, v) => (v.startsWith('-:') ? null : v.split(':')[0]), (v, name) => `${v}@${name}`, { left }).to('out', { keySerde: S, valueSerde: S });
  return b.build();
}

const customers = (n: number, suffix = ''): KV[] => Array.from({ length: n }, (_, i) => ({ key: `c${i}`, value: `name${i}${suffix}` }));

describe('GlobalKTable on the embedded log (StreamsApp)', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  it('restores all partitions before the first stream record, follows updates while running, and is replicated on every instance', async () => {
    const dir = tempDir('sw-global-');
    lease = track(await openLog(dir));
    const log = lease.backend;
    // Different partition counts: a global table needs no co-partitioning.
    await createTopics(log, [{ name: 'customers', partitions: 3 }, { name: 'orders', partitions: 2 }, { name: 'out', partitions: 2 }]);
    await produce(log, 'customers', customers(30));
    const early = Array.from({ length: 20 }, (_, i) => ({ key: `o${i}`, value: `c${i}:item${i}` }));
    await produce(log, 'orders', early);
    const config = { 'application.id': 'global-app', 'log.dir': dir, 'commit.interval.ms': 50, 'poll.ms': 20 };
    const a = new StreamsApp(topology(false), config, { logger: silentLogger });
    const b = new StreamsApp(topology(false), config, { logger: silentLogger });
    apps.push(a, b);
    await a.start();
    // start() resolves once the global store holds every partition up to the end offsets.
    const restored = a.store<ReadOnlyKeyValueStore<string, string>>('customers-store');
    expect(await restored.approximateNumEntries()).toBe(30);
    expect(await restored.get('c29')).toBe('name29');
    await b.start();
    await waitFor('two instances sharing the order partitions', 10_000, () => (a.activeTasks().length === 1 && b.activeTasks().length === 1 ? true : undefined));
    // Every order produced before start joined, whichever instance (and order partition) took it.
    const first = await waitFor('the early orders', 10_000, async () => {
      const got = await readAll(log, 'out');
      return got.length >= early.length ? got : undefined;
    });
    expect(first.map((r) => `${r.key}=${r.value}`).sort()).toEqual(early.map((o, i) => `${o.key}=${o.value}@name${i}`).sort());

    // An update while running: later orders see it on both instances (orders spread over both partitions).
    await produce(log, 'customers', [{ key: 'c1', value: 'renamed' }, { key: 'c2', value: null }]);
    let round = 0;
    const seen = await waitFor('orders that see the update', 10_000, async () => {
      round++;
      await produce(log, 'orders', [{ key: `late-a${round}`, value: 'c1:x' }, { key: `late-b${round}`, value: 'c1:y' }]);
      const late = (await readAll(log, 'out')).filter((r) => r.key!.startsWith('late-') && r.value!.endsWith('@renamed'));
      return new Set(late.map((r) => r.partition)).size === 2 ? late : undefined;
    }, 100);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    // c2 was deleted: an inner join drops its orders.
    await produce(log, 'orders', [{ key: 'gone', value: 'c2:z' }, { key: 'marker', value: 'c3:m' }]);
    await waitFor('the marker', 10_000, async () => ((await readAll(log, 'out')).some((r) => r.key === 'marker') ? true : undefined));
    expect((await readAll(log, 'out')).filter((r) => r.key === 'gone')).toEqual([]);
  });

  it('leftJoin emits misses and null mapped keys with null, counting nothing dropped but null values', async () => {
    const dir = tempDir('sw-global-left-');
    lease = track(await openLog(dir));
    const log = lease.backend;
    await createTopics(log, [{ name: 'customers', partitions: 1 }, { name: 'orders', partitions: 2 }, { name: 'out', partitions: 1 }]);
    await produce(log, 'customers', customers(3));
    await produce(log, 'orders', [{ key: 'o1', value: 'c1:a' }, { key: 'o2', value: 'c9:b' }, { key: 'o3', value: '-:c' }, { key: 'o4', value: null }]);
    const app = new StreamsApp(topology(true), { 'application.id': 'global-left', 'log.dir': dir, 'commit.interval.ms': 50, 'poll.ms': 20 }, { logger: silentLogger });
    apps.push(app);
    await app.start();
    const out = await waitFor('three outputs', 10_000, async () => {
      const got = await readAll(log, 'out');
      return got.length >= 3 ? got : undefined;
    });
    expect(out.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['o1=c1:a@name1', 'o2=c9:b@null', 'o3=-:c@null']);
    await waitFor('the null value to be counted', 5_000, () => (app.metrics().total('dropped-records-total', { reason: 'null-key-or-value' }) === 1 ? true : undefined));
  });

  it('a missing global topic fails start() with TOPIC_NOT_FOUND naming it', async () => {
    const dir = tempDir('sw-global-missing-');
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'orders', partitions: 1 }, { name: 'out', partitions: 1 }]);
    const app = new StreamsApp(topology(false), { 'application.id': 'global-missing', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    await expect(app.start()).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND', message: expect.stringContaining('Global table topic "customers" does not exist') });
    expect(app.state).toBe('ERROR');
  });
});
