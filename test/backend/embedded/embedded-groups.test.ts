import { afterEach, describe, expect, it } from 'vitest';
import type { LogConsumer, RebalanceListener, TopicPartition } from '../../../src/backend/backend-types.js';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { buf, flatten, tempDir } from './embedded-test-helpers.js';

let open: EmbeddedBackend[] = [];
afterEach(async () => {
  for (const b of open) await b.close();
  open = [];
});
async function openAt(dir: string): Promise<EmbeddedBackend> {
  const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
  open.push(b);
  return b;
}

const names = (tps: readonly TopicPartition[]): string[] => tps.map((t) => `${t.topic}-${t.partition}`).sort();

function recorder(name: string, events: string[], onRevoke?: (tps: readonly TopicPartition[]) => Promise<void>): RebalanceListener {
  return {
    onPartitionsRevoked: async (tps) => {
      events.push(`${name} revoked ${names(tps).join(',')}`);
      if (onRevoke) await onRevoke(tps);
    },
    onPartitionsAssigned: (tps) => {
      events.push(`${name} assigned ${names(tps).join(',')}`);
    },
  };
}

/** Polls all consumers until done(); returns what each one fetched. */
async function pollUntil(cs: LogConsumer[], done: () => boolean): Promise<ReturnType<typeof flatten>[]> {
  const got: ReturnType<typeof flatten>[] = cs.map(() => []);
  for (let i = 0; i < 50 && !done(); i++) {
    const rs = await Promise.all(cs.map((c) => c.poll({ maxRecords: 100, maxWaitMs: 20 })));
    rs.forEach((r, j) => got[j].push(...flatten(r)));
  }
  expect(done()).toBe(true);
  return got;
}

describe('embedded log: consumer groups', () => {
  it('rebalances two members: the old owner revokes (and commits) before the new owner is assigned', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([
      { name: 'a', partitions: 4 },
      { name: 'b', partitions: 4 },
    ]);
    const p = b.producer({});
    await p.send(Array.from({ length: 40 }, (_, i) => ({ topic: i % 2 ? 'a' : 'b', partition: i % 4, key: null, value: buf(`r${i}`), timestamp: i })));
    const events: string[] = [];
    const c1 = b.consumer({ groupId: 'g', clientId: 'one' });
    const seen1: string[] = [];
    await c1.subscribe(['a', 'b'], recorder('c1', events, async (tps) => {
      // Commit what c1 read of the revoked partitions, as a Streams task would.
      await c1.commit(tps.map((tp) => ({ ...tp, offset: 3 })));
    }));
    for (let i = 0; i < 5; i++) seen1.push(...flatten(await c1.poll({ maxRecords: 1000, maxWaitMs: 0 })).map((r) => r.value!));
    expect(events).toEqual(['c1 assigned a-0,a-1,a-2,a-3,b-0,b-1,b-2,b-3']);
    expect(seen1.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`).sort());
    expect(names(c1.assignment())).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'b-0', 'b-1', 'b-2', 'b-3']);

    const c2 = b.consumer({ groupId: 'g', clientId: 'two' });
    await c2.subscribe(['a', 'b'], recorder('c2', events));
    // c2 polls first: its partitions are still owned by c1, so it gets nothing assigned yet.
    expect(await c2.poll({ maxRecords: 10, maxWaitMs: 0 })).toEqual([]);
    expect(c2.assignment()).toEqual([]);
    const [, c2First] = await pollUntil([c1, c2], () => c2.assignment().length === 4);
    // assignByPartition: members sorted by id, partition p -> member p % 2 (co-partitioned).
    expect(events).toEqual([
      'c1 assigned a-0,a-1,a-2,a-3,b-0,b-1,b-2,b-3',
      'c1 revoked a-1,a-3,b-1,b-3',
      'c2 assigned a-1,a-3,b-1,b-3',
    ]);
    expect(names(c1.assignment())).toEqual(['a-0', 'a-2', 'b-0', 'b-2']);
    // c2 starts from the offsets c1 committed in its revoke callback.
    await p.send([{ topic: 'a', partition: 1, key: null, value: buf('late'), timestamp: 99 }]);
    const fromC2 = [...c2First, ...flatten(await c2.poll({ maxRecords: 1000, maxWaitMs: 0 }))];
    // Odd i went to topic a, partitions 1 and 3: 10 records each (offsets 0..9), plus 'late' at a-1 offset 10.
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(fromC2.filter((r) => r.topic === 'a' && r.partition === 1).map((r) => r.offset)).toEqual(range(3, 10));
    expect(fromC2.filter((r) => r.topic === 'a' && r.partition === 3).map((r) => r.offset)).toEqual(range(3, 9));
    expect(fromC2.filter((r) => r.topic === 'b')).toEqual([]);

    // c1 leaves: its partitions go to c2 after its revoke callback ran inside close().
    await c1.close();
    await pollUntil([c2], () => c2.assignment().length === 8);
    expect(events.slice(3)).toEqual(['c1 revoked a-0,a-2,b-0,b-2', 'c2 assigned a-0,a-2,b-0,b-2']);
    await c2.close();
  });

  it('subscribes by RegExp and picks up matching topics created later', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'in-1', partitions: 1 }, { name: 'other', partitions: 1 }]);
    const events: string[] = [];
    const c = b.consumer({ groupId: 'rx' });
    await c.subscribe(/^in-/, recorder('c', events));
    await c.poll({ maxRecords: 1, maxWaitMs: 0 });
    await b.admin().createTopics([{ name: 'in-2', partitions: 2 }]);
    await c.poll({ maxRecords: 1, maxWaitMs: 0 });
    expect(events).toEqual(['c assigned in-1-0', 'c assigned in-2-0,in-2-1']);
    await c.close();
  });

  it('keeps committed offsets across a reopen and resumes from them', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'src', partitions: 2 }]);
    await b.producer({}).send(Array.from({ length: 10 }, (_, i) => ({ topic: 'src', partition: i % 2, key: null, value: buf(`v${i}`), timestamp: i })));
    const c = b.consumer({ groupId: 'app' });
    await c.commit([{ topic: 'src', partition: 0, offset: 2 }, { topic: 'src', partition: 1, offset: 4 }]);
    await c.commit([{ topic: 'src', partition: 0, offset: 3 }]);
    await c.close();
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    expect(await b2.admin().fetchCommittedOffsets('app')).toEqual([
      { topic: 'src', partition: 0, offset: 3 },
      { topic: 'src', partition: 1, offset: 4 },
    ]);
    const c2 = b2.consumer({ groupId: 'app' });
    expect(await c2.committed([{ topic: 'src', partition: 0 }, { topic: 'src', partition: 1 }])).toEqual([
      { topic: 'src', partition: 0, offset: 3 },
      { topic: 'src', partition: 1, offset: 4 },
    ]);
    expect(await b2.consumer({ groupId: 'other' }).committed([{ topic: 'src', partition: 0 }])).toEqual([{ topic: 'src', partition: 0, offset: -1 }]);
    await c2.subscribe(['src'], { onPartitionsAssigned: () => {}, onPartitionsRevoked: () => {} });
    const got = flatten(await c2.poll({ maxRecords: 100, maxWaitMs: 0 }));
    expect(got.map((r) => `${r.partition}@${r.offset}`).sort()).toEqual(['0@3', '0@4', '1@4'].sort());
    await c2.close();
  });

  it('pause and resume stop and restart fetching of a partition', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'pz', partitions: 2 }]);
    await b.producer({}).send([0, 1].map((q) => ({ topic: 'pz', partition: q, key: null, value: buf(`p${q}`), timestamp: 0 })));
    const c = b.consumer({});
    await c.assign([0, 1].map((q) => ({ topic: 'pz', partition: q, offset: 0 })));
    c.pause([{ topic: 'pz', partition: 0 }]);
    expect(flatten(await c.poll({ maxRecords: 10, maxWaitMs: 0 })).map((r) => r.value)).toEqual(['p1']);
    c.resume([{ topic: 'pz', partition: 0 }]);
    expect(flatten(await c.poll({ maxRecords: 10, maxWaitMs: 0 })).map((r) => r.value)).toEqual(['p0']);
    await c.close();
  });

  it('a member that requests a group shutdown makes every member revoke and get onGroupShutdown once, sticky after the requester leaves', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 's', partitions: 2 }]);
    const events: string[] = [];
    const withShutdown = (name: string): RebalanceListener => ({ ...recorder(name, events), onGroupShutdown: () => void events.push(`${name} shutdown`) });
    const c1 = b.consumer({ groupId: 'g', clientId: 'one' });
    const c2 = b.consumer({ groupId: 'g', clientId: 'two' });
    await c1.subscribe(['s'], withShutdown('c1'));
    await c2.subscribe(['s'], withShutdown('c2'));
    await pollUntil([c1, c2], () => c1.assignment().length === 1 && c2.assignment().length === 1);
    events.length = 0;

    const r = b.consumer({ groupId: 'g', clientId: 'requester' });
    r.requestGroupShutdown();
    await r.subscribe(['s'], withShutdown('r'));
    await pollUntil([r], () => events.includes('r shutdown'));
    // The requester leaves before the others polled: they were told already.
    await r.close();
    await pollUntil([c1, c2], () => events.includes('c1 shutdown') && events.includes('c2 shutdown'));
    for (let i = 0; i < 3; i++) await Promise.all([c1.poll({ maxRecords: 10, maxWaitMs: 10 }), c2.poll({ maxRecords: 10, maxWaitMs: 10 })]);
    // Each member: everything revoked, then the signal once; no assignment after it.
    expect(events.filter((e) => e.startsWith('c1 '))).toEqual(['c1 revoked s-0', 'c1 shutdown']);
    expect(events.filter((e) => e.startsWith('c2 '))).toEqual(['c2 revoked s-1', 'c2 shutdown']);
    expect(events.filter((e) => e.startsWith('r '))).toEqual(['r shutdown']);
    expect(c1.groupMetadata!()!.members.every((m) => m.partitions.length === 0)).toBe(true);
    await c1.close();
    await c2.close();

    // With the requester gone, a new member of the group is assigned normally.
    const c3 = b.consumer({ groupId: 'g', clientId: 'three' });
    await c3.subscribe(['s'], withShutdown('c3'));
    await pollUntil([c3], () => c3.assignment().length === 2);
    expect(events.filter((e) => e.startsWith('c3 '))).toEqual(['c3 assigned s-0,s-1']);
    expect(() => c3.requestGroupShutdown()).toThrow(expect.objectContaining({ code: 'APP_STATE' }));
  });
});
