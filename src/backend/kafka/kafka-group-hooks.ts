import { AssignerProtocol, type Cluster, type PartitionAssigner } from 'kafkajs';
import type { TopicPartition } from '../backend-types.js';
import { assignByPartition } from '../partition-assignor.js';

export const CO_PARTITIONING_ASSIGNOR = 'StreamwrightCoPartitioning';
export const MANUAL_ASSIGNOR = 'StreamwrightManual';

function encodeAssignment(version: number, tps: readonly TopicPartition[]): Buffer {
  const assignment: Record<string, number[]> = {};
  for (const tp of tps) (assignment[tp.topic] ??= []).push(tp.partition);
  return AssignerProtocol.MemberAssignment.encode({ version, assignment, userData: Buffer.alloc(0) });
}

/**
 * kafkajs assigner running our co-partitioning assignor: partition p of every subscribed topic goes
 * to the same member. `onCluster` receives the consumer's kafkajs cluster (see installJoinHook).
 */
export function coPartitioningAssigner(onCluster: (cluster: Cluster) => void): PartitionAssigner {
  return ({ cluster }) => {
    onCluster(cluster);
    return {
      name: CO_PARTITIONING_ASSIGNOR,
      version: 0,
      async assign({ members, topics }) {
        const tps: TopicPartition[] = [];
        for (const topic of topics) {
          for (const m of cluster.findTopicPartitionMetadata(topic)) tps.push({ topic, partition: m.partitionId });
        }
        const plan = assignByPartition(members.map((m) => m.memberId), tps);
        return members.map((m) => ({ memberId: m.memberId, memberAssignment: encodeAssignment(0, plan.get(m.memberId) ?? []) }));
      },
      protocol({ topics }) {
        return { name: CO_PARTITIONING_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
      },
    };
  };
}

/** kafkajs assigner for manual assignment: the single member of a private group gets exactly `tps`. */
export function manualAssigner(tps: readonly TopicPartition[]): PartitionAssigner {
  return () => ({
    name: MANUAL_ASSIGNOR,
    version: 0,
    async assign({ members }) {
      return members.map((m, i) => ({ memberId: m.memberId, memberAssignment: encodeAssignment(0, i === 0 ? tps : []) }));
    },
    protocol({ topics }) {
      return { name: MANUAL_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/**
 * Makes every JoinGroup of this consumer wait for `beforeJoin()`. In Kafka's eager protocol a member
 * keeps its partitions until it sends JoinGroup, so this is where onPartitionsRevoked must finish
 * (Java's ConsumerCoordinator.onJoinPrepare). kafkajs has no such hook: it rejoins straight from its
 * fetch loop, so we wrap the group coordinator its ConsumerGroup looks up before each join. This
 * relies on kafkajs 2.2.x internals (ConsumerGroup calls cluster.findGroupCoordinator then
 * coordinator.joinGroup); test/backend/kafka checks the callback order so an upgrade that breaks it fails.
 */
export function installJoinHook(cluster: Cluster, beforeJoin: () => Promise<void>): void {
  const marker = cluster as Cluster & { __streamwrightJoinHook?: true };
  if (marker.__streamwrightJoinHook) return;
  marker.__streamwrightJoinHook = true;
  const original = cluster.findGroupCoordinator.bind(cluster);
  cluster.findGroupCoordinator = async (args: { groupId: string; coordinatorType?: number }) => {
    const broker = await original(args);
    if (args.coordinatorType !== undefined && args.coordinatorType !== 0) return broker;
    return new Proxy(broker, {
      get(target, prop) {
        if (prop === 'joinGroup') {
          return async (req: unknown) => {
            await beforeJoin();
            return (target as unknown as { joinGroup(r: unknown): Promise<unknown> }).joinGroup(req);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}
