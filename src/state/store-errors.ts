import { StreamwrightError } from '../errors/streamwright-error.js';

/** A store option the user (or the DSL) got wrong: names the store, the option and the fix. */
export function storeConfigError(store: string, option: string, value: unknown, expected: string): StreamwrightError {
  return new StreamwrightError(
    'CONFIG_INVALID',
    `State store "${store}": invalid ${option}=${String(value)}; expected ${expected}. Change ${option} where the store is defined (Materialized / Stores builder).`,
    { store, option, value },
  );
}

/** get()/delete() of a key that was never loaded from LevelDB: the runtime forgot a prefetch. */
export function notLoadedError(store: string, task: string, op: string): StreamwrightError {
  return new StreamwrightError(
    'STATE_STORE',
    `State store "${store}" in task ${task}: ${op} of a key that was not loaded from LevelDB. ` +
      'Persistent stores read synchronously only keys that are cached or were prefetched; ' +
      'this is a Streamwright runtime bug (a missing prefetch(keys) before the run). Please report it with this message.',
    { store, task, op },
  );
}

/** Use of a store before open() or after close(). */
export function notOpenError(store: string, op: string): StreamwrightError {
  return new StreamwrightError(
    'STATE_STORE',
    `State store "${store}" is not open: cannot ${op}. Stores are usable between open() (task start) and close(); ` +
      'in a processor, fetch the store in init() and use it only while the task runs.',
    { store, op },
  );
}

/** An engine (LevelDB) operation failed: wraps the cause with where it happened. */
export function engineError(store: string, dir: string, op: string, cause: unknown): StreamwrightError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StreamwrightError(
    'STATE_STORE',
    `State store "${store}": LevelDB ${op} failed under ${dir}: ${why}. ` +
      'Check that the state directory is writable and not used by another process; deleting the directory makes the store restore from its changelog.',
    { store, dir, op },
    { cause },
  );
}

/** A window or session put with bounds that are not whole epoch milliseconds or end before start. */
export function invalidWindowError(kind: string, store: string, task: string, start: number, end: number): StreamwrightError {
  return new StreamwrightError(
    'STATE_STORE',
    `${kind} store "${store}" in task ${task}: invalid window [${start}, ${end}]; start and end must be whole epoch milliseconds with end >= start.`,
    { store, task, start, end },
  );
}
