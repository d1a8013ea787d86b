/** Kafka Streams' KafkaStreams.State, with the same allowed transitions. */
export type AppState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

export type StateListener = (newState: AppState, oldState: AppState) => void;

const NEXT: Readonly<Record<AppState, readonly AppState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: ['PENDING_SHUTDOWN'],
};

export function canTransition(from: AppState, to: AppState): boolean {
  return NEXT[from].includes(to);
}

/** What the uncaught-exception handler decides (Kafka Streams' StreamThreadExceptionResponse). */
export type ExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';
export type UncaughtExceptionHandler = (error: Error) => ExceptionResponse;
