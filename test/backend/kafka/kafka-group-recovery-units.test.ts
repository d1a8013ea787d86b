import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, type Cluster } from 'kafkajs';
import { checkCommittable } from '../../../src/backend/kafka/kafka-offsets.js';
import { installJoinHook, isGroupRequestError } from '../../../src/backend/kafka/kafka-group-hooks.js';
import { describeCrash, GroupRecovery, isRecoverableGroupCrash, recoveryBackoffMs } from '../../../src/backend/kafka/kafka-group-recovery.js';
import { RebalanceState } from '../../../src/backend/kafka/kafka-rebalance-state.js';
import { isStreamwrightError } from '../../../src/errors/streamwright-error.js';

/** A protocol error as kafkajs builds it from a broker's error code (protocol/error.js). */
function protocolError(type: string, code: number, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ message: `broker said ${type}`, type, code, retriable } as unknown as Error);
}

/** How kafkajs's retrier wraps an error it gives up on (retry/index.js). */
function nonRetriable(e: Error): KafkaJSNonRetriableError {
  return new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => KafkaJSNonRetriableError)(e, { cause: e });
}

const never = () => false;
const always = () => true;

describe('kafka group recovery units (no broker)', () => {
  it('classifies crashes: membership errors and kafkajs-retriable ones recover, INVALID_REQUEST only from a membership request', () => {
    for (const [type, code] of [['UNKNOWN_MEMBER_ID', 25], ['ILLEGAL_GENERATION', 22], ['REBALANCE_IN_PROGRESS', 27], ['NOT_COORDINATOR_FOR_GROUP', 16], ['GROUP_COORDINATOR_NOT_AVAILABLE', 15], ['GROUP_LOAD_IN_PROGRESS', 14]] as const) {
      expect(isRecoverableGroupCrash(nonRetriable(protocolError(type, code, false)), never), type).toBe(true);
    }
    const invalid = protocolError('INVALID_REQUEST', 42, false);
    expect(isRecoverableGroupCrash(invalid, never)).toBe(false);
    expect(isRecoverableGroupCrash(nonRetriable(invalid), (e) => e === invalid)).toBe(true);
    // Retries exhausted and connection problems: what kafkajs itself would restart on.
    expect(isRecoverableGroupCrash(new KafkaJSNumberOfRetriesExceeded(new Error('x'), { retryCount: 5, retryTime: 100 }), never)).toBe(true);
    expect(isRecoverableGroupCrash(new KafkaJSConnectionError('Connection refused'), never)).toBe(true);
    // Real failures stay failures.
    expect(isRecoverableGroupCrash(nonRetriable(protocolError('GROUP_AUTHORIZATION_FAILED', 30, false)), always)).toBe(false);
    expect(isRecoverableGroupCrash(new TypeError('bug in our code'), always)).toBe(false);
    expect(isRecoverableGroupCrash(new KafkaJSNonRetriableError('Unsupported partition assigner'), always)).toBe(false);
  });

  it('backs off exponentially from retry.backoff.ms up to retry.backoff.max.ms, and counts attempts until a join resets them', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => recoveryBackoffMs(a, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(recoveryBackoffMs(1_000, 300, 30_000)).toBe(30_000);
    const r = new GroupRecovery(2, 100, 1_000);
    expect(r.next()).toEqual({ attempt: 1, delayMs: 100 });
    expect(r.next()).toEqual({ attempt: 2, delayMs: 200 });
    expect(r.next()).toBeUndefined();
    expect(r.failedAttempts).toBe(2);
    r.joined();
    expect(r.next()).toEqual({ attempt: 1, delayMs: 100 });
    expect(new GroupRecovery(0, 100, 1_000).next()).toBeUndefined();
    r.rememberDeadMember('m-1');
    expect(r.takeDeadMember()).toBe('m-1');
    expect(r.takeDeadMember()).toBeUndefined();
  });

  it('describes a crash by message and every Kafka error type in its chain', () => {
    expect(describeCrash(nonRetriable(protocolError('INVALID_REQUEST', 42, false)))).toBe('broker said INVALID_REQUEST [INVALID_REQUEST]');
    expect(describeCrash(new Error('plain'))).toBe('plain');
  });

  it('a lost membership drops an undelivered assignment, delivers the revoke, and commits for lost partitions are refused', async () => {
    const s = new RebalanceState();
    const events: string[] = [];
    const listener = {
      onPartitionsRevoked: (tps: readonly { partition: number }[]) => void events.push(`revoked ${tps.map((t) => t.partition).join(',')} owning ${s.owned.size}`),
      onPartitionsAssigned: (tps: readonly { partition: number }[]) => void events.push(`assigned ${tps.map((t) => t.partition).join(',')}`),
    };
    s.assigned([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    await s.deliver(listener, async () => undefined);
    // A new assignment arrives, then the consumer crashes before poll() delivered it.
    s.assigned([{ topic: 't', partition: 1 }]);
    s.lose();
    const owns = (tp: { topic: string; partition: number }) => s.owned.has(`${tp.topic}\u0000${tp.partition}`);
    let refused: unknown;
    try {
      checkCommittable([{ topic: 't', partition: 0, offset: 5 }], owns, 'g');
    } catch (e) {
      refused = e;
    }
    expect(isStreamwrightError(refused, 'BACKEND') && refused.message).toContain('Commit refused for t-0 offset 5');
    await s.deliver(listener, async () => undefined);
    expect(events).toEqual(['assigned 0,1', 'revoked 0,1 owning 0']);
    expect(s.hasEvents()).toBe(false);
  });

  it('the join hook revokes first, leaves under the dead member id, reports the new id, and tags membership errors', async () => {
    const calls: string[] = [];
    const syncFailure = protocolError('INVALID_REQUEST', 42, false);
    const fetchFailure = protocolError('INVALID_REQUEST', 42, false);
    const broker = {
      joinGroup: async (req: { groupId: string; memberId: string }) => (calls.push(`join ${req.groupId} as '${req.memberId}'`), { memberId: 'm-2', generationId: 7 }),
      leaveGroup: async (req: { groupId: string; memberId: string }) => (calls.push(`leave ${req.groupId} ${req.memberId}`), {}),
      syncGroup: async () => {
        calls.push('sync');
        throw syncFailure;
      },
      fetch: async () => {
        throw fetchFailure;
      },
    };
    const cluster = { findGroupCoordinator: async () => broker } as unknown as Cluster;
    let dead: string | undefined = 'm-1';
    installJoinHook(cluster, {
      beforeJoin: async () => void calls.push('revoke'),
      takeDeadMember: () => {
        const d = dead;
        dead = undefined;
        return d;
      },
      onJoinResponse: (id) => void calls.push(`member ${id}`),
    });
    installJoinHook(cluster, { beforeJoin: async () => void calls.push('second hook'), takeDeadMember: () => undefined, onJoinResponse: () => undefined });
    const coordinator = (await cluster.findGroupCoordinator({ groupId: 'g' })) as unknown as typeof broker;
    await coordinator.joinGroup({ groupId: 'g', memberId: '' });
    await coordinator.joinGroup({ groupId: 'g', memberId: 'm-2' });
    await expect(coordinator.syncGroup()).rejects.toBe(syncFailure);
    await expect(coordinator.fetch()).rejects.toBe(fetchFailure);
    expect(calls).toEqual(['revoke', 'leave g m-1', "join g as ''", 'member m-2', 'revoke', "join g as 'm-2'", 'member m-2', 'sync']);
    expect(isGroupRequestError(syncFailure)).toBe(true);
    expect(isGroupRequestError(fetchFailure)).toBe(false);
  });
});
