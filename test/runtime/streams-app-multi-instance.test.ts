import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/index.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/index.js';
import { appTestScope, createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';
import { evenBangReference, evenBangTopology, mapValuesTopology, numbered, sortKV } from './fixtures/app-topologies.js';

const ALL_TASKS = ['0_0', '0_1', '0_2', '0_3'];

describe('StreamsApp: several instances and several topologies in one process', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  it('two instances with one application.id split a 4-partition topic, and the survivor takes over when one closes', async () => {
    const dir = tempDir();
    lease = track(await openLog(dir));
    const log = lease.backend;
    await createTopics(log, [{ name: 'in', partitions: 4 }, { name: 'out', partitions: 4 }]);
    const config = { 'application.id': 'shared', 'log.dir': dir, 'commit.interval.ms': 50 };
    const a = new StreamsApp(evenBangTopology(), config, { logger: silentLogger });
    const b = new StreamsApp(evenBangTopology(), config, { logger: silentLogger });
    apps.push(a, b);

    const batch1 = numbered(40);
    await produce(log, 'in', batch1);
    await a.start();
    await a.waitUntilRunning(5_000);
    expect(a.activeTasks()).toEqual(ALL_TASKS);

    await b.start();
    await waitFor('both instances to own tasks', 10_000, () => (a.activeTasks().length > 0 && b.activeTasks().length > 0 && a.activeTasks().length + b.activeTasks().length === 4 ? true : undefined));
    await b.waitUntilRunning(5_000);
    const ta = a.activeTasks();
    const tb = b.activeTasks();
    expect(ta.filter((t) => tb.includes(t))).toEqual([]);
    expect([...ta, ...tb].sort()).toEqual(ALL_TASKS);
    expect(ta).toHaveLength(2);

    const batch2 = numbered(40, 40);
    await produce(log, 'in', batch2);
    await waitFor('outputs of the first 80 inputs', 10_000, async () => ((await readAll(log, 'out')).length >= 40 ? true : undefined));

    await a.close();
    await waitFor('b to take over every task', 10_000, () => (b.activeTasks().length === 4 ? true : undefined));
    expect(b.activeTasks()).toEqual(ALL_TASKS);
    const batch3 = numbered(40, 80);
    await produce(log, 'in', batch3);
    const all = [...batch1, ...batch2, ...batch3];
    const expected = evenBangReference(all);
    await waitFor('every output', 10_000, async () => ((await readAll(log, 'out')).length >= expected.length ? true : undefined));
    await b.close();
    // Hand-overs commit before partitions move, so with clean closes nothing is lost or repeated.
    expect(sortKV(await readAll(log, 'out'))).toEqual(sortKV(expected));
    const committed = await log.admin().fetchCommittedOffsets('shared', ['in']);
    const ends = await log.admin().listOffsets('in');
    expect(committed.map((c) => [c.partition, c.offset]).sort()).toEqual(ends.map((e) => [e.partition, e.latest]).sort());
  });

  it('runs different topologies side by side, each started, described and stopped on its own', async () => {
    const dir = tempDir();
    lease = track(await openLog(dir));
    const log = lease.backend;
    await createTopics(log, [
      { name: 'in', partitions: 2 },
      { name: 'evens', partitions: 2 },
      { name: 'upper', partitions: 2 },
      { name: 'words', partitions: 1 },
      { name: 'letters', partitions: 1 },
    ]);
    const S = { keySerde: Serdes.String(), valueSerde: Serdes.String() };
    const fb = new StreamsBuilder();
    fb.stream<string, string>('words', S)
      .flatMapValues((w) => w.split(''))
      .to('letters', S);
    const evens = new StreamsApp(evenBangTopology('in', 'evens'), { 'application.id': 'side-evens', 'log.dir': dir, 'commit.interval.ms': 20 }, { logger: silentLogger });
    const upper = new StreamsApp(mapValuesTopology((v) => `U${v}`, 'in', 'upper'), { 'application.id': 'side-upper', 'log.dir': dir, 'commit.interval.ms': 20 }, { logger: silentLogger });
    const letters = new StreamsApp(fb.build(), { 'application.id': 'side-letters', 'log.dir': dir, 'commit.interval.ms': 20 }, { logger: silentLogger });
    apps.push(evens, upper, letters);

    // Each describes its own topology.
    const sinks = (app: StreamsApp) => app.describe().subtopologies.flatMap((s) => s.nodes.filter((n) => n.type === 'Sink').map((n) => n.topic));
    expect(sinks(evens)).toEqual(['evens']);
    expect(sinks(upper)).toEqual(['upper']);
    expect(sinks(letters)).toEqual(['letters']);
    expect(letters.describe().toString()).toContain('KSTREAM-FLATMAPVALUES-0000000001');

    const first = numbered(10);
    await produce(log, 'in', first);
    await produce(log, 'words', [{ key: 'w', value: 'abc' }]);
    await Promise.all([evens.start(), upper.start(), letters.start()]);
    await Promise.all([evens.waitUntilRunning(5_000), upper.waitUntilRunning(5_000), letters.waitUntilRunning(5_000)]);
    await waitFor('all three outputs', 10_000, async () => {
      const [e, u, l] = await Promise.all([readAll(log, 'evens'), readAll(log, 'upper'), readAll(log, 'letters')]);
      return e.length >= 5 && u.length >= 10 && l.length >= 3 ? true : undefined;
    });

    // Stopping one leaves the others (and the shared log) running.
    await evens.close();
    expect([evens.state, upper.state, letters.state]).toEqual(['NOT_RUNNING', 'RUNNING', 'RUNNING']);
    const second = numbered(10, 10);
    await produce(log, 'in', second);
    await produce(log, 'words', [{ key: 'w', value: 'de' }]);
    await waitFor('upper and letters to process the new input', 10_000, async () => {
      const [u, l] = await Promise.all([readAll(log, 'upper'), readAll(log, 'letters')]);
      return u.length >= 20 && l.length >= 5 ? true : undefined;
    });
    await upper.close();
    await letters.close();

    expect(sortKV(await readAll(log, 'evens'))).toEqual(sortKV(evenBangReference(first)));
    expect(sortKV(await readAll(log, 'upper'))).toEqual(sortKV([...first, ...second].map((r) => ({ key: r.key, value: `U${r.value}` }))));
    expect((await readAll(log, 'letters')).map((r) => r.value)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Separate application.ids are separate consumer groups, each with its own committed offsets.
    const committedEvens = await log.admin().fetchCommittedOffsets('side-evens', ['in']);
    const committedUpper = await log.admin().fetchCommittedOffsets('side-upper', ['in']);
    const sum = (os: { offset: number }[]) => os.reduce((s, o) => s + Math.max(o.offset, 0), 0);
    expect(sum(committedEvens)).toBe(10);
    expect(sum(committedUpper)).toBe(20);
  });
});
