import type { RebalanceListener, TopicPartition } from '../backend-types.js';
import { tpKey } from './kafka-fetch-buffer.js';

/**
 * Rebalance bookkeeping for a group member. kafkajs tells us about rejoins (the join hook) and new
 * assignments (GROUP_JOIN) from its own loop; we queue them here and poll() delivers them to the
 * RebalanceListener in order: revoked (before JoinGroup goes out), then assigned.
 */
export class RebalanceState {
  /** Partitions the runtime has been told it owns (assigned delivered, revoke not yet). */
  readonly owned = new Map<string, TopicPartition>();
  private revokePending: TopicPartition[] | undefined;
  private revokeDone: (() => void) | undefined;
  private assignPending: TopicPartition[] | undefined;
  /** 'pending': the group asked every member to shut down and poll() has not told the listener yet. */
  private shutdown: 'no' | 'pending' | 'delivered' = 'no';

  hasEvents(): boolean {
    return this.revokePending !== undefined || this.assignPending !== undefined || this.shutdown === 'pending';
  }

  /** kafkajs got a new assignment (GROUP_JOIN). After a group shutdown no assignment is delivered. */
  assigned(tps: TopicPartition[]): void {
    if (this.shutdown === 'no') this.assignPending = tps;
  }

  /** The leader's assignment said the whole group shuts down (it assigned nothing). */
  groupShutdown(): void {
    if (this.shutdown !== 'no') return;
    this.shutdown = 'pending';
    this.assignPending = undefined;
  }

  /**
   * kafkajs is about to send JoinGroup. Returns a promise that resolves once poll() has run
   * onPartitionsRevoked, or undefined when nothing is owned (nothing to revoke). An assignment the
   * runtime has not seen yet is simply discarded.
   */
  prepareJoin(): Promise<void> | undefined {
    this.assignPending = undefined;
    if (this.owned.size === 0 && this.revokePending === undefined) return undefined;
    if (this.revokePending === undefined) this.revokePending = [...this.owned.values()];
    return new Promise<void>((resolve) => {
      const prev = this.revokeDone;
      this.revokeDone = () => {
        prev?.();
        resolve();
      };
    });
  }

  /**
   * The join hook's wait: queues the revocation for poll() (`wake` it), then waits until poll() has run
   * onPartitionsRevoked or `timeoutMs` passes; on timeout the partitions count as lost.
   */
  async revokeBeforeJoin(timeoutMs: number, wake: () => void): Promise<void> {
    const revoked = this.prepareJoin();
    if (revoked === undefined) return;
    wake();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([revoked.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
    clearTimeout(timer);
    if (timedOut) this.lose();
  }

  /** Partitions were lost without a clean revoke (crash, session expiry, revoke timeout): stop
   * treating them as owned now, so commits for them are refused; the revoke is still delivered. An
   * assignment not yet delivered belonged to the lost membership and is dropped. */
  lose(): void {
    if (this.owned.size > 0 && this.revokePending === undefined) this.revokePending = [...this.owned.values()];
    this.owned.clear();
    this.assignPending = undefined;
  }

  /** Releases a waiting JoinGroup (used on close). */
  releaseJoin(): void {
    const done = this.revokeDone;
    this.revokeDone = undefined;
    done?.();
  }

  /** Runs queued callbacks in order; called by poll() only. */
  async deliver(listener: RebalanceListener, onAssigned: (tps: TopicPartition[]) => Promise<void>): Promise<void> {
    const revoked = this.revokePending;
    if (revoked !== undefined) {
      this.revokePending = undefined;
      try {
        await listener.onPartitionsRevoked(revoked);
      } finally {
        this.owned.clear();
        this.releaseJoin();
      }
    }
    if (this.shutdown === 'pending') {
      this.shutdown = 'delivered';
      await listener.onGroupShutdown?.();
      return;
    }
    const assigned = this.assignPending;
    if (assigned !== undefined) {
      this.assignPending = undefined;
      for (const tp of assigned) this.owned.set(tpKey(tp.topic, tp.partition), tp);
      await onAssigned(assigned);
      await listener.onPartitionsAssigned(assigned);
    }
  }
}

export function flattenAssignment(memberAssignment: Record<string, number[]>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of Object.keys(memberAssignment).sort()) {
    for (const partition of [...memberAssignment[topic]].sort((a, b) => a - b)) out.push({ topic, partition });
  }
  return out;
}
