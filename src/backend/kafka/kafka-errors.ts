import { StreamwrightError, type ErrorCode } from '../../errors/streamwright-error.js';

/** What we know about where an error happened, used in messages and details. */
export interface KafkaErrorContext {
  readonly bootstrapServers: string;
  /** What we were doing, e.g. "creating topic orders", "committing offsets for group app". */
  readonly action: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly groupId?: string;
  readonly transactionalId?: string;
}

interface KafkaJsLikeError {
  name?: string;
  message?: string;
  type?: string;
  topic?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'INVALID_PRODUCER_ID_MAPPING']);
const TXN_STATE_TYPES = new Set(['INVALID_TXN_STATE', 'CONCURRENT_TRANSACTIONS', 'TRANSACTION_COORDINATOR_FENCED']);
const CONNECTION_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
]);

/** Every kafkajs error reachable from `e` through cause / originalError / errors[]. */
export function kafkaErrorChain(e: unknown): KafkaJsLikeError[] {
  const out: KafkaJsLikeError[] = [];
  const stack: unknown[] = [e];
  while (stack.length > 0 && out.length < 32) {
    const cur = stack.pop();
    if (cur === null || typeof cur !== 'object') continue;
    const err = cur as KafkaJsLikeError;
    out.push(err);
    if (err.cause !== undefined) stack.push(err.cause);
    if (err.originalError !== undefined) stack.push(err.originalError);
    if (Array.isArray(err.errors)) for (const x of err.errors) stack.push(x);
  }
  return out;
}

export function hasKafkaErrorType(e: unknown, type: string): boolean {
  return kafkaErrorChain(e).some((x) => x.type === type);
}

function where(ctx: KafkaErrorContext): string {
  const parts: string[] = [];
  if (ctx.topic !== undefined) parts.push(`topic ${ctx.topic}`);
  if (ctx.partition !== undefined) parts.push(`partition ${ctx.partition}`);
  if (ctx.offset !== undefined) parts.push(`offset ${ctx.offset}`);
  if (ctx.groupId !== undefined) parts.push(`group ${ctx.groupId}`);
  if (ctx.transactionalId !== undefined) parts.push(`transactional.id ${ctx.transactionalId}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function details(ctx: KafkaErrorContext, kafkaType: string | undefined): Record<string, unknown> {
  return { ...ctx, kafkaError: kafkaType };
}

/**
 * Turns a kafkajs failure into a StreamwrightError with a stable code and a message that says what
 * failed, where, and what to do. StreamwrightErrors pass through unchanged.
 */
export function toStreamwrightError(e: unknown, ctx: KafkaErrorContext): StreamwrightError {
  if (e instanceof StreamwrightError) return e;
  const chain = kafkaErrorChain(e);
  const types = chain.map((x) => x.type).filter((t): t is string => typeof t === 'string');
  const first = chain[0];
  const reason = first?.message ?? String(e);
  const typed = (code: ErrorCode, message: string, type?: string): StreamwrightError =>
    new StreamwrightError(code, message, details(ctx, type ?? types[0]), { cause: e });
  const at = where(ctx);

  const fenced = types.find((t) => FENCED_TYPES.has(t));
  if (fenced !== undefined) {
    return typed(
      'TRANSACTION_FENCED',
      `Producer fenced while ${ctx.action}${at}: Kafka answered ${fenced}, so another producer with the same transactional.id took over. Close this producer; its open transaction is aborted and its work is redone by the new owner.`,
      fenced,
    );
  }
  const txnState = types.find((t) => TXN_STATE_TYPES.has(t));
  if (txnState !== undefined) {
    return typed(
      'TRANSACTION_STATE',
      `Transaction in the wrong state while ${ctx.action}${at}: Kafka answered ${txnState}. Abort the transaction and retry it from beginTransaction().`,
      txnState,
    );
  }
  if (types.includes('TOPIC_ALREADY_EXISTS')) {
    const topic = chain.find((x) => x.topic !== undefined)?.topic ?? ctx.topic;
    return typed('TOPIC_EXISTS', `Topic ${topic ?? '(unknown)'} already exists${at}. Use it as is, delete it first, or pass { ifNotExists: true }.`, 'TOPIC_ALREADY_EXISTS');
  }
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION')) {
    return typed(
      'TOPIC_NOT_FOUND',
      `Topic or partition not found while ${ctx.action}${at} at Kafka ${ctx.bootstrapServers}. Create the topic first (admin().createTopics) or check its name and partition count.`,
      'UNKNOWN_TOPIC_OR_PARTITION',
    );
  }
  if (types.includes('INVALID_TOPIC_EXCEPTION')) {
    return typed('TOPIC_INVALID_NAME', `Kafka rejected the topic name while ${ctx.action}${at}: ${reason}. Use 1 to 249 characters of letters, digits, '.', '_' and '-'.`, 'INVALID_TOPIC_EXCEPTION');
  }
  if (types.includes('OFFSET_OUT_OF_RANGE')) {
    return typed('OFFSET_OUT_OF_RANGE', `Offset out of range while ${ctx.action}${at}. Seek to an offset between the partition's earliest and latest offsets (admin().listOffsets).`, 'OFFSET_OUT_OF_RANGE');
  }
  const connection = chain.some((x) => x.name !== undefined && CONNECTION_NAMES.has(x.name)) ||
    chain.some((x) => x.name === 'KafkaJSNumberOfRetriesExceeded' && types.length === 0);
  if (connection) {
    return typed(
      'BACKEND',
      `Cannot reach Kafka at ${ctx.bootstrapServers} while ${ctx.action}${at}: ${reason}. Check that the brokers in 'bootstrap.servers' are running and reachable from this machine.`,
    );
  }
  return typed(
    'BACKEND',
    `Kafka at ${ctx.bootstrapServers} failed while ${ctx.action}${at}: ${reason}${types.length > 0 ? ` [${types.join(', ')}]` : ''}. Check the broker logs; retry if the error is transient.`,
  );
}
