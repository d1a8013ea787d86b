import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsBuilder } from '../../src/dsl/index.js';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import type { StreamsMetadata } from '../../src/runtime/query-metadata.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/index.js';
import type { ReadOnlyKeyValueStore } from '../../src/state/store-types.js';
import type { Topology } from '../../src/graph/topology.js';
import { appTestScope, createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor, type KV } from './fixtures/app-test-helpers.js';

const S = { keySerde: Serdes.String(), valueSerde: Serdes.String() };
const KEY_TASKS = ['0_0', '0_1', '0_2', '0_3'];
const VALUE_TASKS = ['2_0', '2_1', '2_2', '2_3'];

/** counts: per input key (sub-topology 0); by-value: per value, through a repartition topic (2);
 * global-store: a global table (sub-topology 1, no tasks). */
function countingTopology(): Topology {
  const b = new StreamsBuilder();
  const words = b.stream<string, string>('words', S);
  words.groupByKey().count({ storeName: 'counts' });
  b.globalTable<string, string>('globals', S, { storeName: 'global-store' });
  words.groupBy((_k, v) => v, S).count({ storeName: 'by-value' });
  return b.build();
}

function countBy(records: readonly KV[], pick: (r: KV) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(pick(r), (m.get(pick(r)) ?? 0) + 1);
  return m;
}

/** A client's metadata without the one field that differs between observers. */
const shared = (cs: readonly StreamsMetadata[]) => cs.map(({ local: _local, ...rest }) => rest);

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('interactive-query metadata (queryMetadataForKey, streamsMetadataForStore) on the embedded log', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  it('two instances agree on who hosts every key, and the named host is the one whose store answers', async () => {
    const dir = tempDir('sw-iqmeta-');
    const logDir = path.join(dir, 'log');
    lease = track(await openLog(logDir));
    const log = lease.backend;
    await createTopics(log, [{ name: 'words', partitions: 4 }, { name: 'globals', partitions: 1 }]);
    const records: KV[] = Array.from({ length: 240 }, (_, i) => ({ key: `k${(i * 7) % 61}`, value: `v${i % 13}` }));
    await produce(log, 'words', records);
    await produce(log, 'globals', [{ key: 'g', value: 'G' }]);
    const config = (server: string, state: string) => ({ 'application.id': 'iqmeta', 'log.dir': logDir, 'state.dir': path.join(dir, state), 'commit.interval.ms': 20, 'application.server': server });
    const a = new StreamsApp(countingTopology(), config('host-a:7001', 'state-a'), { logger: silentLogger });
    const b = new StreamsApp(countingTopology(), config('host-b:7002', 'state-b'), { logger: silentLogger });
    apps.push(a, b);
    const byHost = new Map([['host-a:7001', a], ['host-b:7002', b]]);

    expect(errorOf(() => a.queryMetadataForKey('counts', 'k1'))).toMatchObject({ code: 'APP_STATE', message: expect.stringContaining('CREATED') });
    expect(errorOf(() => a.metadataForAllStreamsClients())).toMatchObject({ code: 'APP_STATE' });
    await a.start();
    await a.waitUntilRunning(10_000);
    expect(a.metadataForAllStreamsClients().map((c) => [c.host, c.local, c.taskIds])).toEqual([['host-a:7001', true, [...KEY_TASKS, ...VALUE_TASKS]]]);
    await b.start();
    const all = [...KEY_TASKS, ...VALUE_TASKS].sort();
    await waitFor('a and b to split the tasks', 10_000, () => {
      const ta = a.activeTasks();
      const tb = b.activeTasks();
      return a.state === 'RUNNING' && b.state === 'RUNNING' && ta.length > 0 && tb.length > 0 && [...ta, ...tb].sort().join() === all.join() ? true : undefined;
    });

    // Both instances report the same map; each task is on exactly the instance that runs it.
    const fromA = a.metadataForAllStreamsClients();
    const fromB = b.metadataForAllStreamsClients();
    expect(shared(fromA)).toEqual(shared(fromB));
    expect(fromA.map((c) => c.host).sort()).toEqual(['host-a:7001', 'host-b:7002']);
    for (const c of fromA) {
      const app = byHost.get(c.host!)!;
      expect(c.local).toBe(app === a);
      expect(fromB.find((x) => x.memberId === c.memberId)!.local).toBe(app === b);
      expect([...c.taskIds].sort()).toEqual(app.activeTasks());
      expect(c.stateStoreNames).toEqual(['by-value', 'counts', 'global-store']);
    }
    expect(shared(a.streamsMetadataForStore('counts'))).toEqual(shared(fromA));
    expect(shared(b.streamsMetadataForStore('global-store'))).toEqual(shared(fromA));

    // Independent expectations: the partition each key actually landed in, and plain counting.
    const landed = new Map((await readAll(log, 'words')).map((r) => [r.key!, r.partition]));
    const perKey = countBy(records, (r) => r.key!);
    const perValue = countBy(records, (r) => r.value!);
    for (const [store, expected] of [['counts', perKey], ['by-value', perValue]] as const) {
      for (const [k, n] of expected) {
        const m = a.queryMetadataForKey(store, k);
        const mb = b.queryMetadataForKey(store, k);
        expect({ ...mb, local: m.local }).toEqual(m);
        expect(mb.local).toBe(!m.local);
        if (store === 'counts') expect(m.partition).toBe(landed.get(k));
        expect(m.taskId).toBe(`${store === 'counts' ? 0 : 2}_${m.partition}`);
        const owner = byHost.get(m.activeHost!)!;
        const other = owner === a ? b : a;
        expect(m.local).toBe(owner === a);
        expect(owner.activeTasks()).toContain(m.taskId);
        const ownerStore = owner.store<ReadOnlyKeyValueStore<string, number>>(store);
        await waitFor(`${store}/${k} = ${n} on ${m.activeHost}`, 10_000, async () => ((await ownerStore.get(k)) === n ? true : undefined));
        expect(await other.store<ReadOnlyKeyValueStore<string, number>>(store).get(k)).toBeUndefined();
      }
    }
    // A global store is complete on every instance: the answer is "here".
    expect(b.queryMetadataForKey('global-store', 'g')).toEqual({ activeHost: 'host-b:7002', memberId: fromB.find((c) => c.local)!.memberId, partition: -1, taskId: undefined, local: true });

    // Typed errors: unknown store, a key the store's serde cannot write, a key serializer that fails.
    expect(errorOf(() => a.queryMetadataForKey('nope', 'x'))).toMatchObject({ code: 'STATE_STORE', message: expect.stringContaining('counts') });
    expect(errorOf(() => a.streamsMetadataForStore('nope'))).toMatchObject({ code: 'STATE_STORE' });
    const failing = { serialize: () => { throw new Error('boom'); } };
    expect(errorOf(() => a.queryMetadataForKey('counts', 'x', failing))).toMatchObject({ code: 'SERIALIZATION', message: expect.stringMatching(/store "counts" \(topic "words"\): boom/) });
    expect(errorOf(() => a.queryMetadataForKey('counts', 'x', { serialize: () => null }))).toMatchObject({ code: 'SERIALIZATION' });

    // a leaves: b takes every task, the map shrinks to b, and every key is local to b with its value.
    await a.close();
    expect(isStreamwrightError(errorOf(() => a.queryMetadataForKey('counts', 'k1')), 'APP_STATE')).toBe(true);
    await waitFor('b to own every task', 10_000, () => (b.activeTasks().join() === all.join() && b.state === 'RUNNING' ? true : undefined));
    expect(b.metadataForAllStreamsClients().map((c) => [c.host, c.local, c.taskIds])).toEqual([['host-b:7002', true, [...KEY_TASKS, ...VALUE_TASKS]]]);
    const counts = b.store<ReadOnlyKeyValueStore<string, number>>('counts');
    for (const [k, n] of perKey) {
      expect(b.queryMetadataForKey('counts', k)).toMatchObject({ activeHost: 'host-b:7002', local: true, partition: landed.get(k) });
      await waitFor(`counts/${k} on b after the hand-over`, 10_000, async () => ((await counts.get(k)) === n ? true : undefined));
    }
  });

  it('an instance without application.server is listed with no host; keys it owns have activeHost undefined', async () => {
    const dir = tempDir('sw-iqmeta-');
    lease = track(await openLog(path.join(dir, 'log')));
    await createTopics(lease.backend, [{ name: 'words', partitions: 2 }, { name: 'globals', partitions: 1 }]);
    const app = new StreamsApp(countingTopology(), { 'application.id': 'iqmeta-nohost', 'log.dir': path.join(dir, 'log'), 'state.dir': path.join(dir, 'state') }, { logger: silentLogger });
    apps.push(app);
    await app.start();
    await app.waitUntilRunning(10_000);
    const [only] = app.metadataForAllStreamsClients();
    expect(only).toMatchObject({ host: undefined, local: true, taskIds: ['0_0', '0_1', '2_0', '2_1'] });
    const m = app.queryMetadataForKey('counts', 'some-key', Serdes.String());
    expect(m).toEqual({ activeHost: undefined, memberId: only.memberId, partition: m.partition, taskId: `0_${m.partition}`, local: true });
  });
});
