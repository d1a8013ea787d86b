import { AssignerProtocol, type Cluster, type PartitionAssigner } from 'kafkajs';
import type { GroupMemberMetadata, TopicPartition } from '../backend-types.js';
import { assignByPartition } from '../partition-assignor.js';
import { ASSIGNOR_ERROR_NONE, ASSIGNOR_ERROR_SHUTDOWN_REQUESTED, decodeSubscriptionInfo, encodeAssignmentUserData, encodeSubscriptionUserData } from './kafka-group-metadata-codec.js';

export const CO_PARTITIONING_ASSIGNOR = 'StreamwrightCoPartitioning';

function encodeAssignment(version: number, tps: readonly TopicPartition[], userData: Buffer = Buffer.alloc(0)): Buffer {
  const assignment: Record<string, number[]> = {};
  for (const tp of tps) (assignment[tp.topic] ??= []).push(tp.partition);
  return AssignerProtocol.MemberAssignment.encode({ version, assignment, userData });
}

/**
 * kafkajs assigner running our co-partitioning assignor: partition p of every subscribed topic goes
 * to the same member. `onCluster` receives the consumer's kafkajs cluster (see installJoinHook).
 * Each member advertises `applicationServer` in its subscription userData; the leader sends every
 * member the whole map (member id, host, partitions) in the assignment userData
 * (kafka-group-metadata-codec.ts), which the join hook hands to `onSyncResponse`.
 *
 * Shutdown (Kafka Streams' SHUTDOWN_APPLICATION): while `shutdownRequested()` holds, this member's
 * subscription carries error code SHUTDOWN_REQUESTED. A leader that sees it in any member's
 * subscription assigns no partitions and sends every member the members map with that error code.
 */
export function coPartitioningAssigner(onCluster: (cluster: Cluster) => void, applicationServer?: string, shutdownRequested: () => boolean = () => false): PartitionAssigner {
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
        const infos = members.map((m) => decodeSubscriptionInfo(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData));
        const shutdown = infos.some((i) => i.errorCode === ASSIGNOR_ERROR_SHUTDOWN_REQUESTED);
        const plan = shutdown ? new Map<string, TopicPartition[]>() : assignByPartition(members.map((m) => m.memberId), tps);
        const map: GroupMemberMetadata[] = members.map((m, i) => {
          const host = infos[i].host;
          const partitions = plan.get(m.memberId) ?? [];
          return host === undefined ? { memberId: m.memberId, partitions } : { memberId: m.memberId, host, partitions };
        });
        const userData = encodeAssignmentUserData(map, shutdown ? ASSIGNOR_ERROR_SHUTDOWN_REQUESTED : ASSIGNOR_ERROR_NONE);
        return members.map((m) => ({ memberId: m.memberId, memberAssignment: encodeAssignment(0, plan.get(m.memberId) ?? [], userData) }));
      },
      protocol({ topics }) {
        const userData = encodeSubscriptionUserData(applicationServer, shutdownRequested() ? ASSIGNOR_ERROR_SHUTDOWN_REQUESTED : ASSIGNOR_ERROR_NONE);
        return { name: CO_PARTITIONING_ASSIGNOR, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData }) };
      },
    };
  };
}

/** What a LogConsumer learns from, and adds to, the group requests of one kafkajs consumer. */
export interface GroupMembershipHooks {
  /** Runs before each JoinGroup; resolves once onPartitionsRevoked has run (or timed out). */
  beforeJoin(): Promise<void>;
  /** A member id left behind by a crashed kafkajs consumer of the same LogConsumer, taken once. The
   * next JoinGroup is preceded by a LeaveGroup for it, so the coordinator does not wait for (or
   * assign partitions to) a member that no longer exists until its session times out. */
  takeDeadMember(): string | undefined;
  /** The member id the coordinator answered a JoinGroup with. */
  onJoinResponse(memberId: string): void;
  /** The userData of the assignment a SyncGroup answered with (empty when the leader sent none). */
  onSyncResponse?(assignmentUserData: Buffer): void;
}

interface CoordinatorLike {
  joinGroup(req: { groupId: string }): Promise<{ memberId: string }>;
  syncGroup(req: unknown): Promise<{ memberAssignment: Buffer }>;
  leaveGroup(req: { groupId: string; memberId: string }): Promise<unknown>;
}

/** Errors the coordinator returned to a membership request (JoinGroup, SyncGroup, Heartbeat, LeaveGroup). */
const groupRequestErrors = new WeakSet<object>();
const GROUP_REQUESTS = new Set<PropertyKey>(['syncGroup', 'heartbeat', 'leaveGroup']);

/** True when `e` was raised by a group-membership request (see installJoinHook), not by a fetch or commit. */
export function isGroupRequestError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && groupRequestErrors.has(e);
}

function tagged<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    if (typeof e === 'object' && e !== null) groupRequestErrors.add(e);
    throw e;
  });
}

/**
 * Makes every JoinGroup of this consumer wait for `hooks.beforeJoin()`. In Kafka's eager protocol a
 * member keeps its partitions until it sends JoinGroup, so this is where onPartitionsRevoked must finish
 * (Java's ConsumerCoordinator.onJoinPrepare). kafkajs has no such hook: it rejoins straight from its
 * fetch loop, so we wrap the group coordinator its ConsumerGroup looks up before each join. The same
 * wrapper sends the LeaveGroup for a dead member id, reports the member id and the assignment's
 * userData (SyncGroup; kafkajs itself drops it), and tags errors of
 * membership requests (isGroupRequestError) so a crash can be classified. This relies on kafkajs 2.2.x
 * internals (ConsumerGroup calls cluster.findGroupCoordinator, then coordinator.joinGroup / syncGroup /
 * heartbeat on the object it got); test/backend/kafka checks the callback order so an upgrade that
 * breaks it fails.
 */
export function installJoinHook(cluster: Cluster, hooks: GroupMembershipHooks): void {
  const marker = cluster as Cluster & { __streamwrightJoinHook?: true };
  if (marker.__streamwrightJoinHook) return;
  marker.__streamwrightJoinHook = true;
  const original = cluster.findGroupCoordinator.bind(cluster);
  cluster.findGroupCoordinator = async (args: { groupId: string; coordinatorType?: number }) => {
    const broker = await original(args);
    if (args.coordinatorType !== undefined && args.coordinatorType !== 0) return broker;
    const coordinator = broker as unknown as CoordinatorLike;
    return new Proxy(broker, {
      get(target, prop) {
        if (prop === 'joinGroup') {
          return async (req: { groupId: string }) => {
            await hooks.beforeJoin();
            const dead = hooks.takeDeadMember();
            // Best effort: an unknown member (already expired) is fine, the join goes ahead either way.
            if (dead !== undefined) await coordinator.leaveGroup({ groupId: req.groupId, memberId: dead }).catch(() => undefined);
            const res = await tagged(coordinator.joinGroup(req));
            hooks.onJoinResponse(res.memberId);
            return res;
          };
        }
        if (prop === 'syncGroup' && hooks.onSyncResponse !== undefined) {
          const onSync = hooks.onSyncResponse;
          return async (req: unknown) => {
            const res = await tagged(coordinator.syncGroup(req));
            const raw = res.memberAssignment as Buffer | null;
            const decoded = raw !== null && raw.length > 0 ? AssignerProtocol.MemberAssignment.decode(raw) : null;
            onSync(decoded?.userData ?? Buffer.alloc(0));
            return res;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        const fn = (v as (...a: unknown[]) => unknown).bind(target);
        return GROUP_REQUESTS.has(prop) ? (...a: unknown[]) => tagged(fn(...a) as Promise<unknown>) : fn;
      },
    });
  };
}
