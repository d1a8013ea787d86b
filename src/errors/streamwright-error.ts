/**
 * Every error Streamwright raises on purpose is a StreamwrightError with a stable `code`.
 * Messages say what was wrong, where (topic/partition/offset, SQL line/column, node name)
 * and what to do next. `details` carries the same facts as data for programs.
 */
export const ErrorCodes = {
  CONFIG_UNKNOWN_KEY: 'CONFIG_UNKNOWN_KEY',
  CONFIG_INVALID: 'CONFIG_INVALID',
  TOPIC_INVALID_NAME: 'TOPIC_INVALID_NAME',
  TOPIC_NOT_FOUND: 'TOPIC_NOT_FOUND',
  TOPIC_EXISTS: 'TOPIC_EXISTS',
  PARTITION_NOT_FOUND: 'PARTITION_NOT_FOUND',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  TOPOLOGY_INVALID: 'TOPOLOGY_INVALID',
  TOPOLOGY_CYCLE: 'TOPOLOGY_CYCLE',
  TOPOLOGY_DUPLICATE_NAME: 'TOPOLOGY_DUPLICATE_NAME',
  TOPOLOGY_UNKNOWN_NODE: 'TOPOLOGY_UNKNOWN_NODE',
  SERDE_MISSING: 'SERDE_MISSING',
  SERIALIZATION: 'SERIALIZATION',
  DESERIALIZATION: 'DESERIALIZATION',
  NOT_CO_PARTITIONED: 'NOT_CO_PARTITIONED',
  LOG_LOCKED: 'LOG_LOCKED',
  LOG_CORRUPT: 'LOG_CORRUPT',
  LOG_CLOSED: 'LOG_CLOSED',
  TRANSACTION_STATE: 'TRANSACTION_STATE',
  TRANSACTION_FENCED: 'TRANSACTION_FENCED',
  STATE_STORE: 'STATE_STORE',
  APP_STATE: 'APP_STATE',
  PROCESSING: 'PROCESSING',
  BACKEND: 'BACKEND',
  CLI_USAGE: 'CLI_USAGE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class StreamwrightError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StreamwrightError';
    this.code = code;
    this.details = details;
  }
}

/** Narrowing helper: `isStreamwrightError(e, 'TOPIC_NOT_FOUND')`. */
export function isStreamwrightError(e: unknown, code?: ErrorCode): e is StreamwrightError {
  return e instanceof StreamwrightError && (code === undefined || e.code === code);
}
