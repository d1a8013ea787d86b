import { AssignerProtocol, type Cluster } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { GroupMemberMetadata, TopicPartition } from '../../../src/backend/backend-types.js';
import {
  decodeAssignmentInfo,
  decodeAssignmentUserData,
  decodeSubscriptionInfo,
  decodeSubscriptionUserData,
  encodeAssignmentUserData,
  encodeSubscriptionUserData,
} from '../../../src/backend/kafka/kafka-group-metadata-codec.js';
import { coPartitioningAssigner, installJoinHook } from '../../../src/backend/kafka/kafka-group-hooks.js';
import { isStreamwrightError } from '../../../src/errors/streamwright-error.js';

/** Kafka protocol primitives written by hand: the worked example the codec must match byte for byte. */
const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const str = (s: string | null) => (s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]));

/** Deterministic PRNG (mulberry32) so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sortTps = (tps: readonly TopicPartition[]) => [...tps].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));

describe('group metadata userData codec', () => {
  it('encodes a subscription as int16 version, nullable string host, int16 error code', () => {
    expect(encodeSubscriptionUserData('app-1:8080')).toEqual(Buffer.concat([i16(2), str('app-1:8080'), i16(0)]));
    expect(encodeSubscriptionUserData(undefined, 4)).toEqual(Buffer.concat([i16(2), str(null), i16(4)]));
    expect(decodeSubscriptionInfo(Buffer.concat([i16(2), str('h:2'), i16(4)]))).toEqual({ host: 'h:2', errorCode: 4 });
    // Version 1 (no error code) reads as error code 0.
    expect(decodeSubscriptionUserData(Buffer.concat([i16(1), str('[::1]:9000')]))).toBe('[::1]:9000');
    expect(decodeSubscriptionInfo(Buffer.concat([i16(1), str(null)]))).toEqual({ host: undefined, errorCode: 0 });
    // Empty userData: a member of an older release, no host.
    expect(decodeSubscriptionInfo(Buffer.alloc(0))).toEqual({ host: undefined, errorCode: 0 });
    // A later version appends fields; the prefix still reads.
    expect(decodeSubscriptionInfo(Buffer.concat([i16(3), str('h:1'), i16(4), i32(42), str('extra')]))).toEqual({ host: 'h:1', errorCode: 4 });
  });

  it('encodes an assignment map byte for byte as documented', () => {
    const members: GroupMemberMetadata[] = [
      { memberId: 'm-a', host: 'a:1', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }, { topic: 'u', partition: 0 }] },
      { memberId: 'm-b', partitions: [] },
    ];
    const body = [
      i32(2),
      str('m-a'), str('a:1'), i32(2), str('t'), i32(2), i32(0), i32(2), str('u'), i32(1), i32(0),
      str('m-b'), str(null), i32(0),
    ];
    const expected = Buffer.concat([i16(2), ...body, i16(0)]);
    expect(encodeAssignmentUserData(members)).toEqual(expected);
    expect(decodeAssignmentUserData(expected)).toEqual(members);
    expect(decodeAssignmentInfo(expected)).toEqual({ members, errorCode: 0 });
    // SHUTDOWN_REQUESTED (4) is the last field.
    expect(encodeAssignmentUserData(members, 4)).toEqual(Buffer.concat([i16(2), ...body, i16(4)]));
    expect(decodeAssignmentInfo(Buffer.concat([i16(2), ...body, i16(4)]))?.errorCode).toBe(4);
    // Version 1 has no error code: 0.
    expect(decodeAssignmentInfo(Buffer.concat([i16(1), ...body]))).toEqual({ members, errorCode: 0 });
    expect(decodeAssignmentUserData(Buffer.alloc(0))).toBeUndefined();
  });

  it('round-trips random maps (unicode hosts and topics, unordered input) to the sorted reference', () => {
    const next = rng(7);
    const pick = (n: number) => Math.floor(next() * n);
    for (let round = 0; round < 200; round++) {
      const members: GroupMemberMetadata[] = [];
      const n = pick(6);
      for (let m = 0; m < n; m++) {
        const partitions: TopicPartition[] = [];
        for (let k = pick(12); k > 0; k--) partitions.push({ topic: ['orders', 'pagos-ü', 'x.y_z'][pick(3)], partition: pick(64) });
        const unique = [...new Map(partitions.map((tp) => [`${tp.topic}/${tp.partition}`, tp])).values()];
        const host = next() < 0.3 ? undefined : `hôst-${pick(100)}.example:${1 + pick(65535)}`;
        members.push(host === undefined ? { memberId: `c-${round}-${m}-${pick(1000)}`, partitions: unique } : { memberId: `c-${round}-${m}-${pick(1000)}`, host, partitions: unique });
      }
      const reference = members
        .map((m) => ({ ...m, partitions: sortTps(m.partitions) }))
        .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
      expect(decodeAssignmentUserData(encodeAssignmentUserData(members))).toEqual(reference);
    }
  });

  it('rejects every truncation and bad field with a typed BACKEND error that says what and where', () => {
    const full = encodeAssignmentUserData([
      { memberId: 'member-1', host: 'h1:80', partitions: [{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }] },
      { memberId: 'member-2', partitions: [{ topic: 'in', partition: 2 }] },
    ]);
    for (let len = 1; len < full.length; len++) {
      let err: unknown;
      try {
        decodeAssignmentUserData(full.subarray(0, len));
      } catch (e) {
        err = e;
      }
      expect(isStreamwrightError(err, 'BACKEND'), `prefix of ${len} bytes`).toBe(true);
      expect((err as Error).message).toMatch(/Malformed assignment userData: .* at byte \d+/);
    }
    expect(() => decodeAssignmentUserData(Buffer.concat([i16(0), i32(0)]))).toThrow(/version 0/);
    expect(() => decodeAssignmentUserData(Buffer.concat([i16(1), i32(-1)]))).toThrow(/member count is -1/);
    expect(() => decodeAssignmentUserData(Buffer.concat([i16(1), i32(1), str(null), str(null), i32(0)]))).toThrow(/null member id/);
    expect(() => decodeAssignmentUserData(Buffer.concat([i16(1), i32(1), str('m'), str(null), i32(1), str('t'), i32(1), i32(-3)]))).toThrow(/partition -3/);
    // A huge count is refused before anything is allocated for it.
    expect(() => decodeAssignmentUserData(Buffer.concat([i16(1), i32(0x7fffffff)]))).toThrow(/member count/);
    expect(() => decodeSubscriptionUserData(Buffer.from([0, 1, 0, 9, 65]))).toThrow(/Malformed subscription userData/);
  });
});

describe('co-partitioning assigner carries the host map', () => {
  it('gives every member the same userData map, agreeing with each member\'s own assignment and advertised host', async () => {
    const topics = ['in', 'other'];
    const counts: Record<string, number> = { in: 5, other: 3 };
    const cluster = { findTopicPartitionMetadata: (t: string) => Array.from({ length: counts[t] }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;
    const hosts: Record<string, string | undefined> = { 'c-2': 'two:2', 'c-1': 'one:1', 'c-3': undefined };
    const members = Object.entries(hosts).map(([memberId, host]) => {
      const a = coPartitioningAssigner(() => undefined, host)({ cluster, groupId: 'g', logger: undefined as never });
      return { memberId, memberMetadata: a.protocol({ topics }).metadata };
    });
    const leader = coPartitioningAssigner(() => undefined, 'one:1')({ cluster, groupId: 'g', logger: undefined as never });
    const result = await leader.assign({ members, topics });
    // Reference: partition p of every topic to member (sorted ids)[p mod 3].
    const sortedIds = Object.keys(hosts).sort();
    const maps = result.map((r) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!;
      const own = sortTps(Object.entries(decoded.assignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition }))));
      const expected = sortTps(topics.flatMap((topic) => Array.from({ length: counts[topic] }, (_, p) => ({ topic, partition: p })).filter((tp) => sortedIds[tp.partition % 3] === r.memberId)));
      expect(own).toEqual(expected);
      const map = decodeAssignmentUserData(decoded.userData)!;
      const self = map.find((m) => m.memberId === r.memberId)!;
      expect(self.partitions).toEqual(own);
      expect(self.host).toBe(hosts[r.memberId]);
      return map;
    });
    expect(maps).toHaveLength(3);
    for (const m of maps) expect(m).toEqual(maps[0]);
    expect(maps[0].map((m) => m.memberId)).toEqual(sortedIds);
  });

  it('answers a member\'s shutdown request (SHUTDOWN_APPLICATION) with no partitions and error code 4 for every member', async () => {
    const topics = ['in'];
    const cluster = { findTopicPartitionMetadata: () => Array.from({ length: 4 }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;
    const requesting = new Set(['c-2']);
    const members = ['c-1', 'c-2', 'c-3'].map((memberId) => {
      const a = coPartitioningAssigner(() => undefined, `${memberId}:1`, () => requesting.has(memberId))({ cluster, groupId: 'g', logger: undefined as never });
      return { memberId, memberMetadata: a.protocol({ topics }).metadata };
    });
    const leader = coPartitioningAssigner(() => undefined, 'c-1:1')({ cluster, groupId: 'g', logger: undefined as never });
    for (const r of await leader.assign({ members, topics })) {
      const decoded = AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!;
      expect(Object.values(decoded.assignment).flat()).toEqual([]);
      expect(decodeAssignmentInfo(decoded.userData)).toEqual({ errorCode: 4, members: ['c-1', 'c-2', 'c-3'].map((memberId) => ({ memberId, host: `${memberId}:1`, partitions: [] })) });
    }
    // Without a request the same group is assigned normally, error code 0.
    requesting.clear();
    const again = members.map((m) => ({ memberId: m.memberId, memberMetadata: coPartitioningAssigner(() => undefined, `${m.memberId}:1`)({ cluster, groupId: 'g', logger: undefined as never }).protocol({ topics }).metadata }));
    const normal = await leader.assign({ members: again, topics });
    expect(normal.map((r) => decodeAssignmentInfo(AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.userData)!.errorCode)).toEqual([0, 0, 0]);
    expect(normal.flatMap((r) => Object.values(AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment).flat())).toHaveLength(4);
  });

  it('hands the SyncGroup answer\'s userData to the join hook (kafkajs itself drops it)', async () => {
    const userData = encodeAssignmentUserData([{ memberId: 'm', host: 'h:1', partitions: [{ topic: 't', partition: 0 }] }]);
    const memberAssignment = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { t: [0] }, userData });
    const coordinator = { syncGroup: async () => ({ memberAssignment }), joinGroup: async () => ({ memberId: 'm' }), leaveGroup: async () => ({}) };
    const cluster = { findGroupCoordinator: async () => coordinator } as unknown as Cluster;
    const seen: Buffer[] = [];
    installJoinHook(cluster, { beforeJoin: async () => undefined, takeDeadMember: () => undefined, onJoinResponse: () => undefined, onSyncResponse: (b) => seen.push(b) });
    const c = (await cluster.findGroupCoordinator({ groupId: 'g' })) as unknown as typeof coordinator;
    const res = await c.syncGroup();
    expect(res.memberAssignment).toBe(memberAssignment);
    expect(seen).toHaveLength(1);
    expect(decodeAssignmentUserData(seen[0])).toEqual([{ memberId: 'm', host: 'h:1', partitions: [{ topic: 't', partition: 0 }] }]);
  });
});
