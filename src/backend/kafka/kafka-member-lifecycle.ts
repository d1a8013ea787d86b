import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { ConsumerOptions, GroupMetadata, GroupMemberMetadata, TopicPartition } from '../backend-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ResolvedKafkaConfig } from './kafka-config.js';
import { createKafkaJsConsumer } from './kafka-consumer-factory.js';
import { toStreamwrightError, type KafkaErrorContext } from './kafka-errors.js';
import { coPartitioningAssigner, installJoinHook, isGroupRequestError, type GroupMembershipHooks } from './kafka-group-hooks.js';
import { ASSIGNOR_ERROR_SHUTDOWN_REQUESTED, decodeAssignmentInfo } from './kafka-group-metadata-codec.js';
import { describeCrash, GroupRecovery, isRecoverableGroupCrash } from './kafka-group-recovery.js';
import { logBackendWarning } from './kafka-log-creator.js';

/** What the LogConsumer does when its kafkajs consumer reports something. */
export interface MemberHost {
  readonly eachBatch: (payload: EachBatchPayload) => Promise<void>;
  /** Before each JoinGroup of a group member: deliver onPartitionsRevoked first. */
  readonly beforeJoin: () => Promise<void>;
  /** The current kafkajs consumer joined with this assignment (GROUP_JOIN). */
  joined(consumer: Consumer, assignment: Record<string, number[]>): void;
  /** The current kafkajs consumer crashed: drop buffered records and lose the partitions; returns them. */
  crashed(): TopicPartition[];
  /** poll() must throw this. */
  failed(e: StreamwrightError): void;
  /** The leader's assignment carried SHUTDOWN_REQUESTED: every member of the group is to shut down. */
  groupShutdown(): void;
  isClosed(): boolean;
}

/**
 * Owns the kafkajs consumer behind one LogConsumer across its lifetime. For a group member that means
 * possibly several kafkajs consumers: when one crashes on a recoverable error (isRecoverableGroupCrash)
 * the partitions count as lost, a warning is logged, and after a backoff a new kafkajs consumer joins,
 * leaving the dead member id first. After `retries` failed attempts in a row the crash goes to
 * `host.failed`.
 */
export class KafkaMemberLifecycle {
  private consumer: Consumer | undefined;
  /** Bumped for every kafkajs consumer; events of older ones are ignored. */
  private incarnation = 0;
  private memberId: string | undefined;
  /** The members map of the last SyncGroup answer of the current kafkajs consumer. */
  private members: GroupMemberMetadata[] | undefined;
  private topics: (string | RegExp)[] = [];
  private readonly recovery: GroupRecovery;
  /** This member asks the group to shut down (its subscription carries SHUTDOWN_REQUESTED). */
  private shutdownRequested = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ResolvedKafkaConfig,
    private readonly opts: ConsumerOptions,
    private readonly host: MemberHost,
    private readonly ctx: (action: string) => KafkaErrorContext,
  ) {
    this.recovery = new GroupRecovery(config.retries, config.retryBackoffMs, config.retryBackoffMaxMs);
  }

  /** The kafkajs consumer in use now (seek, pause, commit go to it). */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  /** Membership and assignment as of this member's last SyncGroup; undefined before it, and after a crash until it rejoins. */
  groupMetadata(): GroupMetadata | undefined {
    const memberId = this.memberId;
    const members = this.members;
    if (memberId === undefined || members === undefined || !members.some((m) => m.memberId === memberId)) return undefined;
    return { memberId, members };
  }

  /** Every JoinGroup from now on carries SHUTDOWN_REQUESTED (call before startGroup). */
  requestShutdown(): void {
    this.shutdownRequested = true;
  }

  async startGroup(groupId: string, topics: (string | RegExp)[]): Promise<void> {
    this.topics = topics;
    await this.start(this.createGroupConsumer(groupId));
  }

  async close(): Promise<void> {
    this.recovery.cancel();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer !== undefined) await consumer.disconnect();
  }

  private adopt(consumer: Consumer, incarnation: number): void {
    this.consumer = consumer;
    this.memberId = undefined;
    this.members = undefined;
    const current = () => incarnation === this.incarnation && !this.host.isClosed();
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (!current()) return;
      this.recovery.joined();
      this.host.joined(consumer, e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!current()) return;
      this.recoverOrFail(e.payload.error, this.host.crashed());
    });
  }

  private createGroupConsumer(groupId: string): Consumer {
    const incarnation = ++this.incarnation;
    const hooks: GroupMembershipHooks = {
      beforeJoin: this.host.beforeJoin,
      takeDeadMember: () => (incarnation === this.incarnation ? this.recovery.takeDeadMember() : undefined),
      onJoinResponse: (memberId) => {
        if (incarnation === this.incarnation) this.memberId = memberId;
      },
      onSyncResponse: (userData) => {
        // A malformed map throws here, inside kafkajs's sync: the consumer crashes and poll() reports it.
        if (incarnation !== this.incarnation) return;
        const info = decodeAssignmentInfo(userData);
        this.members = info?.members;
        if (info?.errorCode === ASSIGNOR_ERROR_SHUTDOWN_REQUESTED) this.host.groupShutdown();
      },
    };
    const assigner = coPartitioningAssigner((cluster) => installJoinHook(cluster, hooks), this.opts.applicationServer, () => this.shutdownRequested);
    const consumer = createKafkaJsConsumer(this.kafka, this.config, this.opts, groupId, assigner);
    this.adopt(consumer, incarnation);
    return consumer;
  }

  /** A group member's kafkajs consumer crashed (kafkajs has already disconnected it). */
  private recoverOrFail(error: unknown, lost: readonly TopicPartition[]): void {
    if (this.host.isClosed()) return;
    this.recovery.rememberDeadMember(this.memberId);
    this.memberId = undefined;
    this.members = undefined;
    const recoverable = isRecoverableGroupCrash(error, isGroupRequestError);
    const next = recoverable ? this.recovery.next() : undefined;
    if (next === undefined) {
      const tried = this.recovery.failedAttempts;
      const action = recoverable && tried > 0 ? `consuming (gave up after ${tried} failed attempt${tried === 1 ? '' : 's'} in a row to recreate the consumer and rejoin)` : 'consuming';
      this.host.failed(toStreamwrightError(error, this.ctx(action)));
      return;
    }
    const lostText = lost.length > 0 ? `its partitions ${lost.map((t) => `${t.topic}-${t.partition}`).join(', ')} count as lost (commits for them are refused); ` : '';
    logBackendWarning(
      this.config,
      `Kafka consumer of group ${this.opts.groupId} crashed (${describeCrash(error)}); ${lostText}recreating it and rejoining in ${next.delayMs}ms (attempt ${next.attempt} of ${this.recovery.maxAttempts}).`,
      { groupId: this.opts.groupId, attempt: next.attempt, delayMs: next.delayMs, lost },
    );
    const dead = this.consumer;
    this.recovery.schedule(next.delayMs, () => void this.restartGroupMember(dead));
  }

  private async restartGroupMember(dead: Consumer | undefined): Promise<void> {
    await dead?.disconnect().catch(() => undefined);
    const groupId = this.opts.groupId;
    if (this.host.isClosed() || groupId === undefined) return;
    const consumer = this.createGroupConsumer(groupId);
    const incarnation = this.incarnation;
    try {
      await this.start(consumer);
    } catch (e) {
      // Classify and report the kafkajs error itself, not start()'s wrapper around it.
      if (incarnation === this.incarnation) this.recoverOrFail(e instanceof StreamwrightError && e.cause !== undefined ? e.cause : e, []);
    }
  }

  private async start(consumer: Consumer): Promise<void> {
    const topics = this.topics;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: (this.opts.autoOffsetReset ?? 'earliest') !== 'latest' });
    } catch (e) {
      await consumer.disconnect().catch(() => undefined);
      throw toStreamwrightError(e, this.ctx(`subscribing to ${topics.map(String).join(', ')}`));
    }
    if (this.host.isClosed()) {
      // Closed while connecting (a recovery racing close()): never start a consumer nobody will stop.
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    // run() resolves after the first join; joins wait for poll() (revocations), so do not await it here.
    consumer
      .run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently, eachBatch: this.host.eachBatch })
      .catch((e: unknown) => {
        if (consumer === this.consumer) this.host.failed(toStreamwrightError(e, this.ctx('joining the consumer group')));
      });
  }
}
