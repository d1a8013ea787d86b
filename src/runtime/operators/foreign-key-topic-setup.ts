import type { LogAdmin } from '../../backend/backend-types.js';
import type { Subtopology } from '../../graph/subtopology.js';
import type { Topology } from '../../graph/topology.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { Logger } from '../logger.js';

const REGISTRATION = '-subscription-registration-topic';
const RESPONSE = '-subscription-response-topic';

/**
 * Creates the internal topics of foreign-key joins before setupTopics() sizes the others, with
 * the partition counts the join needs (Kafka Streams' co-partitioning of these topics):
 * `<name>-subscription-registration-topic` gets the right table's count (it is read by the right
 * table's tasks, partitioned by foreign key like the right topic), `<name>-subscription-response-topic`
 * the left table's (read by the left table's tasks). setupTopics() would size both by their
 * writer's sources, which is the other side. Topics that exist with another count are refused.
 */
export async function prepareForeignKeyTopics(topology: Topology, admin: LogAdmin, applicationId: string, opts: { replicationFactor: number; logger: Logger }): Promise<void> {
  const regSources = topology.nodes.filter((n) => n.kind === 'source' && n.internal && n.topics.length === 1 && n.topics[0].endsWith(REGISTRATION));
  if (regSources.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const counts = new Map<string, number>();
  const countOf = async (topic: string): Promise<number | undefined> => {
    if (!counts.has(topic)) {
      if (!existing.has(topic)) return undefined;
      const [d] = await admin.describeTopics([topic]);
      counts.set(topic, d.partitions);
    }
    return counts.get(topic);
  };
  /** Tasks of a sub-topology: the most partitions among its inputs other than `skip`. */
  const tasksOf = async (sub: Subtopology | undefined, skip: string): Promise<number | undefined> => {
    if (sub === undefined) return undefined;
    let max = 0;
    for (const t of sub.sourceTopics) max = Math.max(max, (await countOf(t)) ?? 0);
    for (const t of sub.internalSourceTopics) if (t !== skip) max = Math.max(max, (await countOf(`${applicationId}-${t}`)) ?? 0);
    return max > 0 ? max : undefined;
  };
  for (const src of regSources) {
    const regTopic = (src as { topics: readonly string[] }).topics[0];
    const respTopic = regTopic.slice(0, -REGISTRATION.length) + RESPONSE;
    const wanted: [string, number | undefined][] = [
      [regTopic, await tasksOf(topology.subtopologyOfSource(regTopic), regTopic)],
      [respTopic, await tasksOf(topology.subtopologyOfSource(respTopic), respTopic)],
    ];
    for (const [name, partitions] of wanted) {
      const actual = `${applicationId}-${name}`;
      if (partitions === undefined) {
        opts.logger.warn(`Cannot tell how many partitions foreign-key join topic "${actual}" needs before its inputs exist; it is sized like other internal topics.`);
        continue;
      }
      const have = await countOf(actual);
      if (have === undefined) {
        opts.logger.info(`Creating internal topic ${actual} (${partitions} partitions)`);
        await admin.createTopics([{ name: actual, partitions, replicationFactor: opts.replicationFactor > 0 ? opts.replicationFactor : undefined, config: { 'cleanup.policy': 'delete' } }], { ifNotExists: true });
        existing.add(actual);
        counts.set(actual, partitions);
      } else if (have !== partitions) {
        throw new StreamwrightError(
          'TOPOLOGY_INVALID',
          `Foreign-key join topic "${actual}" has ${have} partitions but must have ${partitions} (the partitions of the table that reads it). Delete it (streamwright topics delete ${actual}) or reset the application.`,
          { topic: actual, partitions: have, required: partitions },
        );
      }
    }
  }
}
