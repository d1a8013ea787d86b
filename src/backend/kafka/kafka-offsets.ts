import type { Admin } from 'kafkajs';
import type { TopicPartition, TopicPartitionOffset } from '../backend-types.js';
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
