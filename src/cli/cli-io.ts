import type { Readable, Writable } from 'node:stream';

/**
 * Everything a command touches outside its arguments, so commands run in-process in tests:
 * the three standard streams, the environment and a signal that fires on Ctrl-C / SIGTERM.
 */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Environment variables (STREAMWRIGHT_*). Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user asks the command to stop (SIGINT / SIGTERM in the real binary). */
  readonly signal?: AbortSignal;
}

/**
 * Writes a chunk and waits for 'drain' when the stream asks for backpressure. Resolves false when
 * the reader has gone away (EPIPE, a destroyed stream), so callers stop producing output.
 */
export function writeChunk(out: Writable, chunk: string): Promise<boolean> {
  if (chunk.length === 0) return Promise.resolve(!out.destroyed);
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  if (out.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onError = () => done(false);
    const onClose = () => done(false);
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/** A line to stderr (diagnostics never block on backpressure; they are small). */
export function note(io: CliIo, line: string): void {
  if (!io.stderr.destroyed) io.stderr.write(`${line}\n`);
}

/** A promise that resolves when `signal` aborts (never, without a signal), plus a way to stop listening. */
export function abortPromise(signal: AbortSignal | undefined): { promise: Promise<void>; dispose(): void } {
  if (signal === undefined) return { promise: new Promise<void>(() => undefined), dispose: () => undefined };
  if (signal.aborted) return { promise: Promise.resolve(), dispose: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
