import type { LogAdmin, TopicDescription } from '../backend/backend-types.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { StoreSpec } from '../graph/store-spec.js';
import type { Logger } from './logger.js';
import { changelogTopicOf } from './task-stores.js';
import { checkCopartitioned, copartitionedRepartitionCounts, joinCopartitionGroups } from './join-copartition-check.js';
import { sizeInternalTopics, taskCount } from './internal-topic-sizing.js';

/** What the app learned about its topics before subscribing. */
export interface TopicPlan {
  /** Actual names of every topic the app reads (sources, matched patterns, repartition topics). */
  readonly sourceTopics: readonly string[];
  /** Partition counts of every topic the app reads or writes, by actual name. */
  readonly partitions: ReadonlyMap<string, number>;
}

/**
 * Checks that source and sink topics exist, creates the app's internal topics
 * (`<application.id>-<name>`) with the partition count Kafka Streams would pick
 * (`sizeInternalTopics()`: the repartition() count, a join's co-partitioned count, a foreign-key
 * topic's reader's task count, else the most partitions among the upstream sub-topology's
 * sources), and returns the partition counts the runtime needs.
 */
export async function setupTopics(
  topology: Topology,
  admin: LogAdmin,
  applicationId: string,
  opts: { replicationFactor: number; logger: Logger },
): Promise<TopicPlan> {
  const existing = new Set(await admin.listTopics());
  const partitions = new Map<string, number>();
  const describe = async (names: string[]): Promise<void> => {
    const todo = names.filter((n) => !partitions.has(n));
    if (todo.length === 0) return;
    for (const d of (await admin.describeTopics(todo)) as TopicDescription[]) partitions.set(d.name, d.partitions);
  };
  const missing = (topic: string, role: string): StreamwrightError =>
    new StreamwrightError('TOPIC_NOT_FOUND', `${role} topic "${topic}" does not exist. Create it first, e.g. \`streamwright topics create ${topic} --partitions 1\`.`, { topic });

  const external: string[] = [];
  for (const sub of topology.subtopologies) {
    for (const t of sub.sourceTopics) {
      if (!existing.has(t)) throw missing(t, 'Source');
      external.push(t);
    }
    for (const p of sub.sourcePatterns) {
      const re = new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
      const matched = [...existing].filter((t) => re.test(t) && !t.startsWith(`${applicationId}-`));
      if (matched.length === 0) {
        throw new StreamwrightError('TOPIC_NOT_FOUND', `Source pattern /${p.source}/ matches no existing topic. Create a matching topic first, or check the pattern.`, { pattern: p.source });
      }
      external.push(...matched);
    }
    for (const t of sub.sinkTopics) {
      const internal = topology.internalTopics.some((it) => it.name === t);
      if (!internal && !existing.has(t)) throw missing(t, 'Sink');
      if (!internal) external.push(t);
    }
  }
  await describe([...new Set(external)]);
  // Joins: repartition topics take their group's partition count; all inputs must match (checked below).
  const copartition = joinCopartitionGroups(topology);
  const copartitionCounts = copartitionedRepartitionCounts(copartition, (t) => partitions.get(t));

  // Internal topics, each sized from the external counts (see internal-topic-sizing.ts).
  const internalCount = sizeInternalTopics(topology, partitions, copartitionCounts);
  const specs = topology.internalTopics.map((spec) => {
    const n = internalCount.get(spec.name)!;
    return { spec, actual: `${applicationId}-${spec.name}`, partitions: n };
  });
  checkCopartitioned(copartition, (t) => (t.internal ? internalCount.get(t.name) : partitions.get(t.name)), applicationId);
  // Changelogs: one partition per task of the sub-topology that owns the store.
  for (const sub of topology.subtopologies) {
    const tasks = taskCount(sub, partitions, internalCount);
    for (const name of sub.stores) {
      const store = topology.store(name)!;
      if (!store.logging) continue;
      specs.push({
        spec: { name: `${name}-changelog`, role: 'changelog', partitions: tasks, config: { ...changelogConfig(store), ...store.loggingConfig } },
        actual: changelogTopicOf(applicationId, name),
        partitions: tasks,
      });
    }
  }
  const toCreate = specs.filter((s) => !existing.has(s.actual));
  if (toCreate.length > 0) {
    opts.logger.info(`Creating internal topics: ${toCreate.map((s) => `${s.actual} (${s.partitions} partitions)`).join(', ')}`);
    await admin.createTopics(
      toCreate.map((s) => ({
        name: s.actual,
        partitions: s.partitions,
        replicationFactor: opts.replicationFactor > 0 ? opts.replicationFactor : undefined,
        config: s.spec.config,
      })),
      { ifNotExists: true },
    );
  }
  await describe(specs.map((s) => s.actual));
  for (const s of specs) {
    const actual = partitions.get(s.actual);
    if (actual !== undefined && actual !== s.partitions && s.spec.partitions !== undefined) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `Internal topic "${s.actual}" has ${actual} partitions but the topology needs ${s.partitions}. Delete it (streamwright topics delete ${s.actual}) or reset the application.`, { topic: s.actual });
    }
  }

  const sourceTopics = new Set<string>();
  for (const sub of topology.subtopologies) {
    sub.sourceTopics.forEach((t) => sourceTopics.add(t));
    sub.internalSourceTopics.forEach((t) => sourceTopics.add(`${applicationId}-${t}`));
  }
  for (const t of external) if (topology.subtopologies.some((s) => s.sourcePatterns.some((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, '')).test(t)))) sourceTopics.add(t);
  return { sourceTopics: [...sourceTopics], partitions };
}

/** Kafka Streams' changelog settings: compacted; windowed stores also delete after retention + 1 day. */
export function changelogConfig(store: StoreSpec): Record<string, string> {
  if (store.type === 'keyValue') return { 'cleanup.policy': 'compact' };
  // A join buffer (retainDuplicates) logs every record under its plain key: never compacted.
  return { 'cleanup.policy': store.retainDuplicates === true ? 'delete' : 'compact,delete', 'retention.ms': String((store.retentionMs ?? 0) + 86_400_000) };
}
