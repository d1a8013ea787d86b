import { kafkaErrorChain } from './kafka-errors.js';

/**
 * Coordinator answers that mean "this member's view of the group is stale", not "this request can
 * never work": the member must rejoin (kafkajs type names; Kafka's NOT_COORDINATOR is
 * NOT_COORDINATOR_FOR_GROUP, COORDINATOR_LOAD_IN_PROGRESS is GROUP_LOAD_IN_PROGRESS).
 */
export const MEMBERSHIP_ERROR_TYPES: ReadonlySet<string> = new Set([
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
]);

interface ErrorLike {
  name?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
}

/**
 * Whether a crashed kafkajs consumer is worth recreating and rejoining. Yes for membership errors
 * (above), for INVALID_REQUEST answered to a membership request (JoinGroup / SyncGroup / Heartbeat:
 * librdkafka's mock coordinator answers a SyncGroup that arrives after the leader's with it, see
 * docs/kafka-backend.md), and for what kafkajs itself deems retriable (connection problems, its own
 * retries exhausted). No for everything else: authorization, unknown assignor, a bug in our code.
 */
export function isRecoverableGroupCrash(e: unknown, fromGroupRequest: (err: unknown) => boolean): boolean {
  const chain = kafkaErrorChain(e);
  if (chain.some((x) => x.type !== undefined && MEMBERSHIP_ERROR_TYPES.has(x.type))) return true;
  if (chain.some((x) => x.type === 'INVALID_REQUEST' && fromGroupRequest(x))) return true;
  if (chain.some((x) => x.name === 'KafkaJSNumberOfRetriesExceeded')) return true;
  // kafkajs's own rule for restarting a crashed consumer: the innermost cause is retriable.
  let root = e as ErrorLike | undefined;
  for (let depth = 0; depth < 16 && root?.cause !== undefined && typeof root.cause === 'object' && root.cause !== null; depth++) {
    root = root.cause as ErrorLike;
  }
  return root?.retriable === true;
}

/** "message [TYPE, ...]" for log lines: the first error's message and every Kafka error type in its chain. */
export function describeCrash(e: unknown): string {
  const chain = kafkaErrorChain(e);
  const types = [...new Set(chain.map((x) => x.type).filter((t): t is string => typeof t === 'string'))];
  const message = chain[0]?.message ?? String(e);
  return types.length > 0 ? `${message} [${types.join(', ')}]` : message;
}

/** Exponential backoff: `baseMs`, doubling per attempt (1-based), capped at `maxMs`. */
export function recoveryBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(30, Math.max(0, attempt - 1));
  return Math.max(0, Math.min(maxMs, baseMs * 2 ** exp));
}

/**
 * Bookkeeping for recreating a group member after its kafkajs consumer crashed: how many attempts in a
 * row failed (reset by a successful join), the member id the dead consumer held, and the pending timer.
 */
export class GroupRecovery {
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadMember: string | undefined;

  constructor(
    /** Attempts allowed in a row before the crash is surfaced (the backend's `retries`). */
    readonly maxAttempts: number,
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  /** Consecutive failed attempts so far. */
  get failedAttempts(): number {
    return this.attempts;
  }

  /** The next attempt's number and delay, or undefined when the attempts are used up. */
  next(): { attempt: number; delayMs: number } | undefined {
    if (this.attempts >= this.maxAttempts) return undefined;
    this.attempts++;
    return { attempt: this.attempts, delayMs: recoveryBackoffMs(this.attempts, this.baseMs, this.maxMs) };
  }

  /** The member joined and received an assignment: a later crash starts counting afresh. */
  joined(): void {
    this.attempts = 0;
  }

  schedule(delayMs: number, run: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, delayMs);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  rememberDeadMember(memberId: string | undefined): void {
    if (memberId !== undefined && memberId !== '') this.deadMember = memberId;
  }

  takeDeadMember(): string | undefined {
    const m = this.deadMember;
    this.deadMember = undefined;
    return m;
  }
}
