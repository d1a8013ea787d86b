import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../../src/dsl/suppressed.js';
import { TimeWindows } from '../../../src/dsl/windows.js';
import type { Topology } from '../../../src/graph/topology.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { Metrics } from '../../../src/runtime/metrics.js';
import { createTaskStores, storeContextFor } from '../../../src/runtime/task-stores.js';
import type { StoreLifecycle } from '../../../src/state/store-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { WindowedSerdes } from '../../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { fetchBatch, taskFor, type CollectedRecord } from '../operators/task-harness.js';

const S = Serdes.String();
const L = Serdes.Long();
const W = WindowedSerdes.timeWindowed(S, 10);

function topology(buffer = BufferConfig.unbounded()): Topology {
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    .count({ storeName: 'counts', caching: false })
    .suppress(Suppressed.untilWindowCloses(buffer).withName('final'))
    .toStream()
    .to('out', { keySerde: W, valueSerde: L });
  return b.build();
}

/** One task incarnation with in-memory stores restored from `changelog` (Kafka compaction: last record per key). */
async function incarnation(topo: Topology, changelog: CollectedRecord[]) {
  const sent: CollectedRecord[] = [];
  const env = { applicationId: 'app', taskId: '0_0', partition: 0, appStateDir: '', metrics: new Metrics(), logger: silentLogger, collector: { send: (topic: string, partition: number | undefined, key: Buffer | null, value: Buffer | null, timestamp: number) => sent.push({ topic, partition, key, value, timestamp, headers: undefined }) }, cacheMaxBytes: 0, forceInMemory: true, defaultKeySerde: undefined, defaultValueSerde: undefined };
  const stores = createTaskStores(topo, topo.subtopologies[0], env) as Map<string, StoreLifecycle>;
  for (const [name, store] of stores) {
    await store.open(storeContextFor(topo.store(name)!, env));
    for (const r of changelog) if (r.topic === `app-${name}-changelog`) store.restore(r.key!, r.value, r.timestamp);
    await store.restoreDone();
  }
  const h = taskFor(topo, { stores });
  await new Promise((r) => setTimeout(r, 0)); // the suppression buffer rebuilds from its store asynchronously
  return { task: h.task, sent: [...sent], output: h.sent, changelog: sent };
}

const outputs = (sent: CollectedRecord[]) => sent.filter((r) => r.topic === 'out').map((r) => `${W.deserialize('out', r.key).start}:${L.deserialize('out', r.value)}`);

describe('suppression buffer durability', () => {
  it('buffered results survive a restart: the buffer is rebuilt from its changelog and emits once', async () => {
    const topo = topology();
    const first = await incarnation(topo, []);
    first.task.addRecords(fetchBatch('in', 0, 0, [['a', 'x', 1], ['a', 'x', 2], ['b', 'x', 5], ['a', 'x', 12]], S, S));
    first.task.process();
    // Window [0,10) closed at stream time 12 with grace 0: emitted. [10,20) is buffered when the "crash" happens.
    expect(outputs(first.output)).toEqual(['0:2', '0:1']);
    expect(first.changelog.some((r) => r.topic === 'app-final-store-changelog')).toBe(true);
    // Offsets up to 3 were committed; a new incarnation restores the stores and continues at offset 4.
    const second = await incarnation(topo, first.changelog);
    // No record touches window [10,20) again: only the rebuilt buffer can emit it.
    second.task.addRecords(fetchBatch('in', 0, 4, [['c', 'x', 31]], S, S));
    second.task.process();
    expect(outputs(second.output)).toEqual(['10:1']);
  });

  it('a full buffer with shutDownWhenFull fails with STATE_STORE naming the limits and where', () => {
    const driver = new TopologyTestDriver(topology(BufferConfig.maxRecords(2).shutDownWhenFull()));
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 1);
      input.pipeInput('b', 'x', 2);
      let err: (Error & { code?: string; details?: Record<string, unknown> }) | undefined;
      try {
        input.pipeInput('c', 'x', 3);
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err?.code).toBe('STATE_STORE');
      expect(err?.message).toMatch(/limits 2 records/);
      expect(err?.message).toMatch(/topic "in", partition 0/);
      expect(err?.message).toMatch(/Raise BufferConfig/);
      expect(err?.details).toMatchObject({ maxRecords: 2, node: 'final' });
    } finally {
      driver.close();
    }
  });

  it('untilTimeLimit with emitEarlyWhenFull emits the oldest entry when maxRecords is exceeded', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: S }, { caching: false }).suppress(Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(2).emitEarlyWhenFull())).toStream().to('out', { keySerde: S, valueSerde: S });
    const driver = new TopologyTestDriver(b.build());
    try {
      const input = driver.createInputTopic('t', S, S);
      input.pipeInput('a', '1', 1);
      input.pipeInput('b', '1', 2);
      input.pipeInput('a', '2', 3); // same key: replaces, buffer still 2
      input.pipeInput('c', '1', 4); // third key: a (oldest buffer time) leaves early with its latest value
      expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([['a', '2']]);
    } finally {
      driver.close();
    }
  });
});
