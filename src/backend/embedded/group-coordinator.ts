import type { GroupMemberMetadata, TopicPartition } from '../backend-types.js';
import { assignByPartition } from '../partition-assignor.js';
import type { TopicRegistry } from './topic-registry.js';
import type { WakeNotifier } from './wake-notifier.js';

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** A subscribed consumer as the group sees it. */
export interface GroupMember {
  readonly memberId: string;
  subscription: readonly string[] | RegExp;
  /** `host:port` the member advertises (ConsumerOptions.applicationServer). */
  readonly host?: string;
  /** The assignment the group wants this member to have. */
  target: Map<string, TopicPartition>;
  /** This member asks the whole group to shut down (Kafka Streams' SHUTDOWN_REQUESTED in its subscription). */
  readonly shutdownRequest?: boolean;
  /** The group told this member to shut down; stays set if the requester leaves. */
  shutdownSignalled?: boolean;
}

interface Group {
  readonly members: Map<string, GroupMember>;
  /** Which member currently owns (has been given, and not yet released) each partition. */
  readonly owners: Map<string, string>;
}

function subscribes(m: GroupMember, topic: string): boolean {
  const s = m.subscription;
  if (s instanceof RegExp) {
    s.lastIndex = 0;
    return s.test(topic);
  }
  return s.includes(topic);
}

/**
 * In-process consumer groups. On every membership or topic change the target assignment is
 * recomputed with assignByPartition (per topic over the members subscribed to it). Members move
 * toward it inside their own poll(): a member first releases (after its revoked callback) what it
 * must give up; a partition is given to its new member only once the old owner released it.
 * While a member with a shutdown request is in the group, every member's target is empty and each
 * is marked as told to shut down (Kafka Streams' SHUTDOWN_APPLICATION); a member once told gets no
 * partitions again, members joining after the requester left are assigned as usual.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly topics: TopicRegistry;
  private readonly notifier: WakeNotifier;
  private memberSeq = 0;

  constructor(topics: TopicRegistry, notifier: WakeNotifier) {
    this.topics = topics;
    this.notifier = notifier;
  }

  newMemberId(clientId: string | undefined): string {
    return `${clientId ?? 'consumer'}-${String(++this.memberSeq).padStart(6, '0')}`;
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = { members: new Map(), owners: new Map() };
      this.groups.set(groupId, g);
    }
    return g;
  }

  join(groupId: string, member: GroupMember): void {
    const g = this.group(groupId);
    g.members.set(member.memberId, member);
    this.rebalance(g);
  }

  leave(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId);
    if (g === undefined) return;
    g.members.delete(memberId);
    for (const [k, owner] of g.owners) if (owner === memberId) g.owners.delete(k);
    if (g.members.size === 0) this.groups.delete(groupId);
    else this.rebalance(g);
  }

  /**
   * Every member of the group with its advertised host and target assignment (the group's current
   * decision; a partition moving between members is listed under its new owner), sorted by
   * member id, partitions by topic then partition. Empty when the group has no members.
   */
  describe(groupId: string): GroupMemberMetadata[] {
    const g = this.groups.get(groupId);
    if (g === undefined) return [];
    const ids = [...g.members.keys()].sort();
    return ids.map((id) => {
      const m = g.members.get(id)!;
      const partitions = [...m.target.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      return m.host === undefined ? { memberId: id, partitions } : { memberId: id, host: m.host, partitions };
    });
  }

  /** Call after topics are created or deleted. */
  rebalanceAll(): void {
    for (const g of this.groups.values()) this.rebalance(g);
  }

  /** Takes ownership of a partition if nobody else holds it. */
  claim(groupId: string, key: string, memberId: string): boolean {
    const g = this.group(groupId);
    const owner = g.owners.get(key);
    if (owner !== undefined && owner !== memberId) return false;
    g.owners.set(key, memberId);
    return true;
  }

  release(groupId: string, key: string, memberId: string): void {
    const g = this.groups.get(groupId);
    if (g !== undefined && g.owners.get(key) === memberId) g.owners.delete(key);
  }

  private rebalance(g: Group): void {
    const members = [...g.members.values()];
    for (const m of members) m.target = new Map();
    if (members.some((m) => m.shutdownRequest === true)) {
      for (const m of members) m.shutdownSignalled = true;
      this.notifier.notify();
      return;
    }
    for (const t of this.topics.topics.values()) {
      // A member told to shut down keeps an empty target even after the requester left.
      const ids = members.filter((m) => m.shutdownSignalled !== true && subscribes(m, t.name)).map((m) => m.memberId);
      if (ids.length === 0) continue;
      const tps: TopicPartition[] = [];
      for (let p = 0; p < t.partitions; p++) tps.push({ topic: t.name, partition: p });
      for (const [id, list] of assignByPartition(ids, tps)) {
        const m = g.members.get(id)!;
        for (const tp of list) m.target.set(tpKey(tp.topic, tp.partition), tp);
      }
    }
    this.notifier.notify();
  }
}
