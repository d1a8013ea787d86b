import type { TopicPartition } from './backend-types.js';

/**
 * Co-partitioning assignor shared by both backends. Partition p of every subscribed topic goes to
 * the same member, so the co-partitioned sources of one task (same partition number) are always
 * read by one instance. Members are ordered by id so every member computes the same answer;
 * partition numbers are spread round-robin.
 */
export function assignByPartition(
  memberIds: readonly string[],
  partitions: readonly TopicPartition[],
): Map<string, TopicPartition[]> {
  const members = [...memberIds].sort();
  const out = new Map<string, TopicPartition[]>();
  for (const m of members) out.set(m, []);
  if (members.length === 0) return out;
  const sorted = [...partitions].sort((a, b) => a.partition - b.partition || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  for (const tp of sorted) out.get(members[tp.partition % members.length])!.push(tp);
  return out;
}
