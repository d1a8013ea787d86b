import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import { appTestScope, createTopics, openLog, produce, silentLogger, tempDir, waitForRecords } from './fixtures/app-test-helpers.js';

const S = Serdes.String();
const strings = { keySerde: S, valueSerde: S };

function topology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('bids', strings)
    .leftJoin(b.table<string, string>('auctions', strings), (bid, auction) => `${bid}+${auction ?? '∅'}`)
    .to('out', strings);
  return b.build();
}

describe('max.task.idle.ms on the embedded log (StreamsApp)', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  /** Produces bid b1 (event time 2000), starts the app, and produces auction A (event time 1000)
   * `auctionDelayMs` later, or once the bid's result is out when that is undefined. */
  async function run(maxTaskIdleMs: number, auctionDelayMs: number | undefined) {
    const dir = tempDir('sw-idle-');
    lease = track(await openLog(dir));
    const log = lease.backend;
    await createTopics(log, [{ name: 'bids', partitions: 1 }, { name: 'auctions', partitions: 1 }, { name: 'out', partitions: 1 }]);
    await produce(log, 'bids', [{ key: 'a1', value: 'b1' }], { timestamp: 2_000 });
    const app = new StreamsApp(topology(), { 'application.id': 'idle-app', 'log.dir': dir, 'poll.ms': 20, 'commit.interval.ms': 50, 'max.task.idle.ms': maxTaskIdleMs }, { logger: silentLogger });
    apps.push(app);
    await app.start();
    if (auctionDelayMs === undefined) await waitForRecords(log, 'out', 1, 20_000);
    else await new Promise((r) => setTimeout(r, auctionDelayMs));
    await produce(log, 'auctions', [{ key: 'a1', value: 'A' }], { timestamp: 1_000 });
    const out = await waitForRecords(log, 'out', 1, 20_000);
    return { out: out.map((r) => `${r.key}=${r.value}@${r.timestamp}`), enforced: app.metrics().total('enforced-processing-total', {}) };
  }

  it('a stream–table join waits for the table partition and sees the update that arrives slightly later', async () => {
    const { out, enforced } = await run(5_000, 300);
    expect(out).toEqual(['a1=b1+A@2000']);
    // The auction went first; then its partition was empty again, so the bid waited anew (as in
    // Kafka Streams) and went once that wait ran out: one enforced record.
    expect(enforced).toBe(1);
  }, 40_000);

  it('with -1 the task processes the bid at once, without the update', async () => {
    const { out, enforced } = await run(-1, undefined);
    expect(out).toEqual(['a1=b1+∅@2000']);
    expect(enforced).toBe(0);
  }, 40_000);
});
