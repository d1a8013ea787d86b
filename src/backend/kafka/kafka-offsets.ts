import type { Admin } from 'kafkajs';
import type { OffsetReset, TopicPartition, TopicPartitionOffset } from '../backend-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { toStreamwrightError } from './kafka-errors.js';

/** Committed offsets of `groupId` for `tps`, -1 where the group has none (kafkajs answers "-1"). */
export async function fetchCommitted(admin: Admin, bootstrapServers: string, groupId: string, tps: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
  if (tps.length === 0) return [];
  const topics = [...new Set(tps.map((t) => t.topic))];
  let answer: Awaited<ReturnType<Admin['fetchOffsets']>>;
  try {
    answer = await admin.fetchOffsets({ groupId, topics });
  } catch (e) {
    throw toStreamwrightError(e, { bootstrapServers, action: 'reading committed offsets', groupId });
  }
  const byKey = new Map<string, number>();
  for (const t of answer) for (const p of t.partitions) byKey.set(`${t.topic}\u0000${p.partition}`, Number(p.offset));
  return tps.map((tp) => {
    const o = byKey.get(`${tp.topic}\u0000${tp.partition}`);
    return { topic: tp.topic, partition: tp.partition, offset: o === undefined || !Number.isFinite(o) || o < 0 ? -1 : o };
  });
}

/**
 * Checks a non-transactional commit before it is sent: every partition must be owned by this member
 * (a partition moved or lost by a rebalance is refused, so its new owner's progress is not
 * overwritten) and every offset must be a valid next offset to read.
 */
export function checkCommittable(offsets: readonly TopicPartitionOffset[], owns: (tp: TopicPartition) => boolean, groupId: string | undefined): void {
  for (const o of offsets) {
    if (!owns(o)) {
      throw new StreamwrightError(
        'BACKEND',
        `Commit refused for ${o.topic}-${o.partition} offset ${o.offset}: the partition is not assigned to this member of group ${groupId} (a rebalance moved it, or the member lost it when its consumer crashed). Its new owner resumes from the last committed offset; drop the work for this partition.`,
        { topic: o.topic, partition: o.partition, offset: o.offset, groupId },
      );
    }
    if (!Number.isInteger(o.offset) || o.offset < 0) {
      throw new StreamwrightError('OFFSET_OUT_OF_RANGE', `Cannot commit offset ${o.offset} for ${o.topic}-${o.partition}: a committed offset is the next offset to read, >= 0.`, { topic: o.topic, partition: o.partition, offset: o.offset });
    }
  }
}

/** autoOffsetReset 'none': the error for assigned partitions without a committed offset, if any. */
export function missingOffsetsError(committed: readonly TopicPartitionOffset[], groupId: string | undefined): StreamwrightError | undefined {
  const missing = committed.filter((c) => c.offset < 0);
  if (missing.length === 0) return undefined;
  return new StreamwrightError(
    'OFFSET_OUT_OF_RANGE',
    `No committed offset for ${missing.map((m) => `${m.topic}-${m.partition}`).join(', ')} in group ${groupId} and autoOffsetReset is 'none'. Commit a starting offset first or use 'earliest' / 'latest'.`,
    { groupId, partitions: missing },
  );
}

/**
 * Where partitions assigned without an offset start (Java's position lookup for assign()): the
 * group's committed offset when there is a group and `useCommitted`, else the earliest or latest
 * offset per autoOffsetReset ('none' throws OFFSET_OUT_OF_RANGE naming the partitions).
 */
export async function resolveStartOffsets(
  tps: readonly (TopicPartition & { readonly useCommitted: boolean })[],
  opts: { readonly groupId: string | undefined; readonly autoOffsetReset: OffsetReset },
  committed: (tps: readonly TopicPartition[]) => Promise<TopicPartitionOffset[]>,
  listOffsets: (
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ) => Promise<readonly { readonly topic: string; readonly partitions: readonly { readonly partition: number; readonly offset: string }[] }[]>,
): Promise<TopicPartitionOffset[]> {
  const out: TopicPartitionOffset[] = [];
  const fromGroup = opts.groupId === undefined ? [] : tps.filter((t) => t.useCommitted);
  const found = new Set<string>();
  if (fromGroup.length > 0) {
    for (const c of await committed(fromGroup)) {
      if (c.offset < 0) continue;
      out.push(c);
      found.add(`${c.topic}\u0000${c.partition}`);
    }
  }
  const rest = tps.filter((t) => !found.has(`${t.topic}\u0000${t.partition}`));
  if (rest.length === 0) return out;
  if (opts.autoOffsetReset === 'none') {
    throw new StreamwrightError(
      'OFFSET_OUT_OF_RANGE',
      `No valid position for ${rest.map((p) => `${p.topic}-${p.partition}`).join(', ')}${opts.groupId === undefined ? '' : ` (no committed offset in group ${opts.groupId})`} and autoOffsetReset is 'none'. Assign or seek with an offset between the partition's earliest and latest offsets.`,
      { partitions: rest.map((p) => ({ topic: p.topic, partition: p.partition })), groupId: opts.groupId },
    );
  }
  const byTopic = new Map<string, { partition: number }[]>();
  for (const p of rest) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partition: p.partition }]);
  const answer = await listOffsets([...byTopic].map(([topic, partitions]) => ({ topic, partitions, fromBeginning: opts.autoOffsetReset === 'earliest' })));
  for (const t of answer) for (const o of t.partitions) out.push({ topic: t.topic, partition: o.partition, offset: Number(o.offset) });
  return out;
}
