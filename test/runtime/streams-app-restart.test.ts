import { afterEach, describe, expect, it } from 'vitest';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { createTopics, openLog, produce, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';
import { evenBangReference, evenBangTopology, numbered, sortKV } from './fixtures/app-topologies.js';

describe('StreamsApp on the embedded log: restart from committed offsets', () => {
  let lease: BackendLease | undefined;
  afterEach(async () => {
    await lease?.release();
    lease = undefined;
  });

  it('a second run with the same application.id processes only the records produced after the first run closed', async () => {
    const dir = tempDir();
    lease = await openLog(dir);
    const log = lease.backend;
    await createTopics(log, [{ name: 'in', partitions: 3 }, { name: 'out', partitions: 3 }]);
    const first = numbered(40);
    const second = numbered(30, 40);
    await produce(log, 'in', first);

    const config = { 'application.id': 'restart-app', 'log.dir': dir, 'log.flush': 'never', 'commit.interval.ms': 1_000 };
    const seen1: string[] = [];
    const app1 = new StreamsApp(evenBangTopology('in', 'out', { onValue: (v) => seen1.push(v) }), config, { logger: silentLogger });
    await app1.start();
    await waitFor('first run to see all 40 inputs', 10_000, () => (seen1.length >= 40 ? true : undefined));
    // commit.interval.ms is long: only the clean close commits, which is what this test relies on.
    await app1.close();
    expect(app1.state).toBe('NOT_RUNNING');
    expect(sortKV(await readAll(log, 'out'))).toEqual(sortKV(evenBangReference(first)));
    const committed = await log.admin().fetchCommittedOffsets('restart-app', ['in']);
    const ends = await log.admin().listOffsets('in');
    expect(committed.map((c) => c.offset).sort()).toEqual(ends.map((e) => e.latest).sort());

    await produce(log, 'in', second);
    const seen2: string[] = [];
    const app2 = new StreamsApp(evenBangTopology('in', 'out', { onValue: (v) => seen2.push(v) }), config, { logger: silentLogger });
    await app2.start();
    await waitFor('second run to see the 30 new inputs', 10_000, () => (seen2.length >= 30 ? true : undefined));
    // Give it a few more poll rounds: nothing old may show up late.
    await new Promise((r) => setTimeout(r, 200));
    await app2.close();

    expect(seen2.sort()).toEqual(second.map((r) => r.value!).sort());
    const out = await readAll(log, 'out');
    expect(sortKV(out)).toEqual(sortKV(evenBangReference([...first, ...second])));
    // Per key, outputs stay in input order (the key decides the partition on both topics).
    const expectedOrder = evenBangReference([...first, ...second]);
    for (let p = 0; p < 3; p++) {
      const got = out.filter((r) => r.partition === p).map((r) => r.value);
      const want = expectedOrder.filter((r) => got.includes(r.value)).map((r) => r.value);
      expect(got).toEqual(want);
    }
  });
});
