import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend-types.js';
import { StreamsBuilder } from '../../src/dsl/index.js';
import type { StreamsMetadata } from '../../src/runtime/query-metadata.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/index.js';
import type { ReadOnlyKeyValueStore } from '../../src/state/store-types.js';
import { skipKafka, suiteTestCluster, uniqueName } from '../backend/kafka/kafka-test-cluster.js';
import { silentLogger, tempDir, waitFor, type KV } from './fixtures/app-test-helpers.js';

const S = { keySerde: Serdes.String(), valueSerde: Serdes.String() };
const shared = (cs: readonly StreamsMetadata[]) => cs.map(({ local: _local, ...rest }) => rest);

async function produce(backend: Backend, topic: string, records: readonly KV[]): Promise<void> {
  const p = backend.producer({});
  try {
    await p.send(records.map((r, i) => ({ topic, key: Buffer.from(r.key!), value: Buffer.from(r.value!), timestamp: 1_000 + i })));
  } finally {
    await p.close();
  }
}

describe.skipIf(skipKafka)('interactive-query metadata on the Kafka backend', () => {
  const cluster = suiteTestCluster();

  it('two instances read the same host map from the assignment userData, and it names the instance whose store answers', async () => {
    const input = uniqueName('iq-in');
    await cluster.createTopic(input, 4);
    const records: KV[] = Array.from({ length: 90 }, (_, i) => ({ key: `user-${(i * 5) % 23}`, value: `e${i}` }));
    await produce(cluster.backend(), input, records);
    // No changelog (the mock cannot create topics through the admin API) and no restore consumer.
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, S).groupByKey().count({ storeName: 'counts', logging: false, storeType: 'in-memory' });
      return b.build();
    };
    const appId = uniqueName('iq-app');
    const config = (server: string) => ({ 'application.id': appId, 'state.dir': tempDir('sw-iqk-'), 'commit.interval.ms': 100, 'application.server': server });
    const a = new StreamsApp(topology(), config('a.example:1'), { backend: cluster.backend(), logger: silentLogger });
    const b = new StreamsApp(topology(), config('b.example:2'), { backend: cluster.backend(), logger: silentLogger });
    const byHost = new Map([['a.example:1', a], ['b.example:2', b]]);
    try {
      await Promise.all([a.start(), b.start()]);
      // Settled: both run part of the tasks, and what each map says about each instance is what it runs.
      await waitFor('the group to settle on two members', 60_000, () => {
        if (a.state !== 'RUNNING' || b.state !== 'RUNNING' || a.activeTasks().length === 0 || b.activeTasks().length === 0) return undefined;
        if ([...a.activeTasks(), ...b.activeTasks()].sort().join() !== '0_0,0_1,0_2,0_3') return undefined;
        const [ma, mb] = [a.metadataForAllStreamsClients(), b.metadataForAllStreamsClients()];
        if (ma.length !== 2 || mb.length !== 2) return undefined;
        return ma.every((c) => c.taskIds.join() === byHost.get(c.host!)!.activeTasks().join()) ? true : undefined;
      }, 100);
      const fromA = a.metadataForAllStreamsClients();
      const fromB = b.metadataForAllStreamsClients();
      expect(shared(fromA)).toEqual(shared(fromB));
      expect(fromA.map((c) => [c.host, c.local])).toEqual(expect.arrayContaining([['a.example:1', true], ['b.example:2', false]]));
      expect(fromB.find((c) => c.host === 'b.example:2')!.local).toBe(true);

      const expected = new Map<string, number>();
      for (const r of records) expected.set(r.key!, (expected.get(r.key!) ?? 0) + 1);
      const hosts = new Set<string>();
      for (const [k, n] of expected) {
        const m = a.queryMetadataForKey('counts', k);
        expect({ ...b.queryMetadataForKey('counts', k), local: m.local }).toEqual(m);
        const owner = byHost.get(m.activeHost!)!;
        hosts.add(m.activeHost!);
        expect(owner.activeTasks()).toContain(m.taskId);
        const store = owner.store<ReadOnlyKeyValueStore<string, number>>('counts');
        await waitFor(`counts/${k} = ${n} on ${m.activeHost}`, 20_000, async () => ((await store.get(k)) === n ? true : undefined), 50);
        expect(await (owner === a ? b : a).store<ReadOnlyKeyValueStore<string, number>>('counts').get(k)).toBeUndefined();
      }
      expect(hosts.size).toBe(2); // 23 keys over 4 partitions: both instances host some
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
