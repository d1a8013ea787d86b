import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { decode, fetchBatch } from './operators/task-harness.js';
import { taskWithStores } from './operators/task-store-harness.js';

const S = Serdes.String();
const strings = { keySerde: S, valueSerde: S };

/** bids.leftJoin(table(auctions)) -> out, so a bid processed before its auction shows "∅". */
function joinTopology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('bids', strings)
    .leftJoin(b.table<string, string>('auctions', strings), (bid, auction) => `${bid}+${auction ?? '∅'}`)
    .to('out', strings);
  return b.build();
}

async function task(maxTaskIdleMs: number | undefined) {
  const h = await taskWithStores(joinTopology(), maxTaskIdleMs === undefined ? {} : { maxTaskIdleMs });
  const enforced = () => h.metrics.total('enforced-processing-total', { task: '0_0' });
  const out = () => decode(h.sent, 'out', S, S).map(([k, v, ts]) => `${k}=${v}@${ts}`);
  return { ...h, enforced, out };
}

const bids = (first: number, ...recs: [string, string, number][]) => fetchBatch('bids', 0, first, recs, S, S);
const auctions = (first: number, ...recs: [string, string, number][]) => fetchBatch('auctions', 0, first, recs, S, S);

/** Worked examples of Kafka Streams' PartitionGroup.readyToProcess() with every empty partition
 * caught up (lag 0), as Streamwright treats them; wall clock = the harness's virtual clock. */
describe('StreamTask with max.task.idle.ms', () => {
  it('waits for an empty partition while the other has records, and joins the table update that arrives in time', async () => {
    const t = await task(100);
    t.clock.now = 1_000;
    t.task.addRecords(bids(0, ['a1', 'b1', 20], ['a1', 'b2', 30]));
    expect(t.task.process()).toBe(0); // auctions empty: idle until 1100
    t.clock.now = 1_099;
    expect(t.task.process()).toBe(0);
    t.task.addRecords(auctions(0, ['a1', 'A', 10], ['a1', 'A2', 50]));
    // Timestamp order: A@10, b1, b2; then bids is empty and A2@50 waits for it.
    expect(t.task.process()).toBe(3);
    expect(t.out()).toEqual(['a1=b1+A@20', 'a1=b2+A@30']);
    expect(t.task.buffered()).toBe(1);
    expect(t.enforced()).toBe(0);
  });

  it('processes anyway once max.task.idle.ms has passed and counts each such record as enforced processing', async () => {
    const t = await task(100);
    t.clock.now = 1_000;
    t.task.addRecords(bids(0, ['a1', 'b1', 20], ['a1', 'b2', 30]));
    expect(t.task.process()).toBe(0);
    t.clock.now = 1_100;
    expect(t.task.process()).toBe(2);
    expect(t.out()).toEqual(['a1=b1+∅@20', 'a1=b2+∅@30']);
    expect(t.enforced()).toBe(2);
    // The late auction updates the table. Both partitions have records, so it goes first at once;
    // then auctions is empty again and b3 waits anew (until 1200) before it joins it.
    t.task.addRecords(auctions(0, ['a1', 'A', 10]));
    t.task.addRecords(bids(2, ['a1', 'b3', 40]));
    expect(t.task.process()).toBe(1);
    t.clock.now = 1_200;
    expect(t.task.process()).toBe(1);
    expect(t.out().at(-1)).toBe('a1=b3+A@40');
    expect(t.enforced()).toBe(3);
  });

  it('the wait starts when the task first finds the partition empty, even before any record arrived (as in Kafka)', async () => {
    const t = await task(100);
    t.clock.now = 1_000;
    expect(t.task.process()).toBe(0); // nothing buffered: both partitions' waits start now
    t.clock.now = 1_150;
    t.task.addRecords(bids(0, ['a1', 'b1', 20]));
    expect(t.task.process()).toBe(1);
    expect(t.enforced()).toBe(1);
  });

  it('a partition that had records and drained starts a new wait', async () => {
    const t = await task(100);
    t.clock.now = 1_000;
    t.task.addRecords(auctions(0, ['a1', 'A', 10]));
    t.task.addRecords(bids(0, ['a1', 'b1', 20]));
    expect(t.task.process()).toBe(1); // A@10; then auctions is empty: b1 waits until 1100
    t.clock.now = 1_050;
    t.task.addRecords(auctions(1, ['a1', 'A2', 15]));
    expect(t.task.process()).toBe(1); // A2@15 came in time; auctions drained again: wait until 1150
    t.clock.now = 1_150;
    expect(t.task.process()).toBe(1);
    expect(t.out()).toEqual(['a1=b1+A2@20']);
    expect(t.enforced()).toBe(1);
  });

  it('0 does not wait but still counts enforced processing; -1 (and a task built without it) neither waits nor counts', async () => {
    for (const [idle, counted] of [[0, 1], [-1, 0], [undefined, 0]] as const) {
      const t = await task(idle);
      t.clock.now = 1_000;
      t.task.addRecords(bids(0, ['a1', 'b1', 20]));
      expect(t.task.process(), `max.task.idle.ms ${idle}`).toBe(1);
      expect(t.enforced(), `max.task.idle.ms ${idle}`).toBe(counted);
    }
  });

  it('waits only for input partitions the task has: a topic with fewer partitions than the task number is not waited for', async () => {
    const h = await taskWithStores(joinTopology(), { maxTaskIdleMs: 100, partition: 1, partitionsFor: (topic) => (topic === 'auctions' ? 1 : 2) });
    h.clock.now = 1_000;
    h.task.addRecords({ ...bids(0, ['a1', 'b1', 20]), partition: 1 });
    expect(h.task.process()).toBe(1);
    expect(h.metrics.total('enforced-processing-total', { task: '0_1' })).toBe(0);
  });
});
