import type { Admin } from 'kafkajs';
import type { TopicPartition, TopicPartitionOffset } from '../backend-types.js';
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
