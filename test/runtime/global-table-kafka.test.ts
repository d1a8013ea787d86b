/**
 * A stream–GlobalKTable join app on the Kafka backend (librdkafka's mock on CI, a broker with
 * KAFKA_BOOTSTRAP_SERVERS; STREAMWRIGHT_SKIP_KAFKA=1 skips). The global store is read through a
 * manually assigned Kafka consumer (no group) from every partition of its topic.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend-types.js';
import { joinGlobal } from '../../src/dsl/joins-global.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import type { ReadOnlyKeyValueStore } from '../../src/state/store-types.js';
import { skipKafka, suiteTestCluster, uniqueName } from '../backend/kafka/kafka-test-cluster.js';
import { produce, recordingLogger, waitFor, type KV } from './fixtures/app-test-helpers.js';

const S = Serdes.String();

/** orders (value "<customer>:<item>") join the customers global table: `${order}@${name}`. */
function topology(customers: string, orders: string, out: string, left: boolean) {
  const b = new StreamsBuilder();
  const table = b.globalTable<string, string>(customers, { keySerde: S, valueSerde: S }, { storeName: 'customers-store' });
  const stream = b.stream<string, string>(orders, { keySerde: S, valueSerde: S });
  joinGlobal(stream, table, (_k, v) => v.split(':')[0], (v, name) => `${v}@${name}`, { left }).to(out, { keySerde: S, valueSerde: S });
  return b.build();
}

/** Reads `topic` from the beginning (all partitions) until `done` holds for what arrived; bounded. */
async function readUntil(backend: Backend, topic: string, partitions: number, done: (got: readonly KV[]) => boolean): Promise<KV[]> {
  const c = backend.consumer({ clientId: 'global-test-reader' });
  const got: KV[] = [];
  try {
    await c.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 0 })));
    await waitFor(`records in ${topic}`, 30_000, async () => {
      for (const fb of await c.poll({ maxRecords: 1_000, maxWaitMs: 100 })) {
        for (let i = 0; i < fb.size; i++) got.push({ key: fb.keys[i]?.toString() ?? null, value: fb.values[i]?.toString() ?? null });
      }
      return done(got) ? true : undefined;
    }, 0);
  } finally {
    await c.close();
  }
  return got;
}

describe.skipIf(skipKafka)('GlobalKTable on the Kafka backend', () => {
  const cluster = suiteTestCluster();

  it('restores every partition before the first stream record, joins, and follows updates and deletes while running', async () => {
    const customers = uniqueName('customers');
    const orders = uniqueName('orders');
    const out = uniqueName('out');
    // Different partition counts: a global table needs no co-partitioning.
    await cluster.createTopic(customers, 3);
    await cluster.createTopic(orders, 2);
    await cluster.createTopic(out, 2);
    const backend = cluster.backend();
    await produce(backend, customers, Array.from({ length: 30 }, (_, i) => ({ key: `c${i}`, value: `name${i}` })));
    const early = Array.from({ length: 20 }, (_, i) => ({ key: `o${i}`, value: `c${i}:item${i}` }));
    await produce(backend, orders, early);

    const logger = recordingLogger();
    const app = new StreamsApp(topology(customers, orders, out, false), { 'application.id': uniqueName('global-kafka'), 'commit.interval.ms': 100, 'poll.ms': 20 }, { backend, logger });
    try {
      await app.start();
      // start() resolves once the global store holds every partition up to its end offset.
      const store = app.store<ReadOnlyKeyValueStore<string, string>>('customers-store');
      expect(await store.approximateNumEntries()).toBe(30);
      expect(await store.get('c29')).toBe('name29');
      await app.waitUntilRunning(30_000);

      // Reference: every early order joins its customer's name (all were in the table before processing).
      const first = await readUntil(backend, out, 2, (got) => got.length >= early.length);
      expect(first.map((r) => `${r.key}=${r.value}`).sort()).toEqual(early.map((o, i) => `${o.key}=${o.value}@name${i}`).sort());

      // An update and a delete while running reach the store through the background reader.
      await produce(backend, customers, [{ key: 'c1', value: 'renamed' }, { key: 'c2', value: null }]);
      await waitFor('the global store to follow the topic', 20_000, async () => ((await store.get('c1')) === 'renamed' && (await store.get('c2')) === undefined ? true : undefined), 50);
      await produce(backend, orders, [{ key: 'late', value: 'c1:x' }, { key: 'gone', value: 'c2:y' }, { key: 'last', value: 'c3:z' }]);
      const all = await readUntil(backend, out, 2, (got) => got.some((r) => r.key === 'late') && got.some((r) => r.key === 'last'));
      const byKey = new Map(all.map((r) => [r.key, r.value]));
      expect(byKey.get('late')).toBe('c1:x@renamed');
      expect(byKey.get('last')).toBe('c3:z@name3');
      // c2 was deleted: the inner join drops its order.
      expect(byKey.has('gone')).toBe(false);
      expect(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    } finally {
      await app.close();
    }
    expect(app.state).toBe('NOT_RUNNING');
  }, 90_000);

  it('a left join emits misses with null, and an empty global topic restores at once', async () => {
    const customers = uniqueName('customers-empty');
    const orders = uniqueName('orders');
    const out = uniqueName('out');
    await cluster.createTopic(customers, 2);
    await cluster.createTopic(orders, 1);
    await cluster.createTopic(out, 1);
    const backend = cluster.backend();
    await produce(backend, orders, [{ key: 'o1', value: 'c1:a' }]);
    const app = new StreamsApp(topology(customers, orders, out, true), { 'application.id': uniqueName('global-kafka-left'), 'commit.interval.ms': 100, 'poll.ms': 20 }, { backend, logger: recordingLogger() });
    try {
      await app.start();
      expect(await app.store<ReadOnlyKeyValueStore<string, string>>('customers-store').approximateNumEntries()).toBe(0);
      const got = await readUntil(backend, out, 1, (g) => g.length >= 1);
      expect(got).toEqual([{ key: 'o1', value: 'c1:a@null' }]);
    } finally {
      await app.close();
    }
  }, 90_000);
});
