import { afterEach, describe, expect, it } from 'vitest';
import type { LogConsumer, RebalanceListener, TopicPartition } from '../../../src/backend/backend-types.js';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { tempDir } from './embedded-test-helpers.js';

let open: EmbeddedBackend[] = [];
afterEach(async () => {
  for (const b of open) await b.close();
  open = [];
});

const quiet: RebalanceListener = { onPartitionsRevoked() {}, onPartitionsAssigned() {} };
const key = (tps: readonly TopicPartition[]) => tps.map((t) => `${t.topic}-${t.partition}`).sort();

/** Polls every consumer a bounded number of times so pending hand-overs complete. */
async function settle(cs: LogConsumer[]): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.all(cs.map((c) => c.poll({ maxRecords: 10, maxWaitMs: 0 })));
}

describe('embedded log: group metadata (interactive-query routing)', () => {
  it('every member reports the same members map: advertised hosts and the co-partitioned assignment each one owns', async () => {
    const b = await openEmbeddedBackend({ dataDir: tempDir(), flush: 'never' });
    open.push(b);
    await b.admin().createTopics([{ name: 'in', partitions: 5 }, { name: 'side', partitions: 5 }, { name: 'other', partitions: 2 }]);
    const c1 = b.consumer({ groupId: 'g', clientId: 'one', applicationServer: 'one:8080' });
    const c2 = b.consumer({ groupId: 'g', clientId: 'two' });
    const c3 = b.consumer({ groupId: 'g', clientId: 'three', applicationServer: 'three:8080' });
    const outsider = b.consumer({ groupId: 'h', clientId: 'x', applicationServer: 'x:1' });
    expect(c1.groupMetadata?.()).toBeUndefined(); // not subscribed yet
    await c1.subscribe(['in', 'side'], quiet);
    await c2.subscribe(['in', 'side'], quiet);
    await c3.subscribe(['in', 'side'], quiet);
    await outsider.subscribe(['other'], quiet);
    const all = [c1, c2, c3];
    await settle([...all, outsider]);

    const metas = all.map((c) => c.groupMetadata!()!);
    const ids = metas.map((m) => m.memberId);
    expect(new Set(ids).size).toBe(3);
    for (const m of metas) expect(m.members).toEqual(metas[0].members);
    const members = metas[0].members;
    // Reference: partition p of both topics goes to (members sorted by id)[p mod 3].
    const sorted = [...ids].sort();
    expect(members.map((m) => m.memberId)).toEqual(sorted);
    for (const m of members) {
      const expected = ['in', 'side'].flatMap((topic) => [0, 1, 2, 3, 4].filter((p) => sorted[p % 3] === m.memberId).map((p) => `${topic}-${p}`)).sort();
      expect(key(m.partitions)).toEqual(expected);
    }
    // Each member's entry is what that consumer really reads, and carries its own applicationServer.
    all.forEach((c, i) => {
      const self = members.find((m) => m.memberId === metas[i].memberId)!;
      expect(key(self.partitions)).toEqual(key(c.assignment()));
      expect(self.host).toBe([ 'one:8080', undefined, 'three:8080' ][i]);
    });
    expect('host' in members.find((m) => m.memberId === metas[1].memberId)!).toBe(false);
    // Another group is not part of the map.
    expect(outsider.groupMetadata!()!.members.map((m) => m.host)).toEqual(['x:1']);

    // A member leaves: the others see a two-member map that still covers every partition.
    await c2.close();
    expect(c2.groupMetadata!()).toBeUndefined();
    await settle([c1, c3]);
    const after = c1.groupMetadata!()!;
    expect(c3.groupMetadata!()!.members).toEqual(after.members);
    expect(after.members.map((m) => m.host)).toEqual(ids[0] < ids[2] ? ['one:8080', 'three:8080'] : ['three:8080', 'one:8080']);
    expect(after.members.flatMap((m) => key(m.partitions)).sort()).toEqual(key(['in', 'side'].flatMap((topic) => [0, 1, 2, 3, 4].map((partition) => ({ topic, partition })))));
    expect(key(after.members.find((m) => m.memberId === after.memberId)!.partitions)).toEqual(key(c1.assignment()));
    for (const c of [c1, c3, outsider]) await c.close();
  });
});
