import * as fs from 'node:fs';
import { StreamwrightError } from '../../errors/streamwright-error.js';

export type FlushPolicy = 'always' | 'interval' | 'never';

/** Anything with a file that can be fsynced. */
export interface Syncable {
  /** fdatasync now, on the calling thread. */
  sync(): void;
  /**
   * fdatasync on libuv's thread pool (off the event loop); `done` runs once it finished. The file
   * must keep its descriptor open until then (see Segment.close). Files without it sync inline.
   */
  syncAsync?(done: (err: Error | null) => void): void;
  /** Names the file in error messages. */
  readonly path?: string;
}

/**
 * Applies the flush policy. Every write reaches the OS (page cache) before it is acknowledged,
 * so a process crash never loses an acknowledged write under any policy. The policy decides when
 * data reaches the disk: `always` fsyncs before acknowledging (writes arriving in the same tick
 * share one fsync per file), `interval` every flushIntervalMs, `never` leaves it to the OS.
 *
 * Under `interval` the periodic fdatasyncs run off the event loop (libuv's thread pool), so
 * appends, polls and processing go on while the disk flushes: interval acknowledges before any
 * fsync anyway, and a write made during an fsync is covered by the next one, exactly as a write
 * made right after a synchronous fsync would be. A file whose previous fsync is still running
 * when the timer fires is synced again as soon as that one finishes. A failed fsync is sticky, as
 * Kafka takes a log directory offline on an I/O error: every later acknowledgement fails with a
 * BACKEND error naming the file (the pages may already be marked clean, so retrying proves nothing).
 */
export class FlushScheduler {
  readonly policy: FlushPolicy;
  private readonly dirty = new Set<Syncable>();
  /** Files with an asynchronous fsync running. */
  private readonly inFlight = new Set<Syncable>();
  /** In-flight files the timer wanted to sync again (written to since their fsync started). */
  private readonly again = new Set<Syncable>();
  private failure: StreamwrightError | null = null;
  private pending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(policy: FlushPolicy, intervalMs: number) {
    this.policy = policy;
    if (policy === 'interval') {
      this.timer = setInterval(() => this.flushInBackground(), intervalMs);
      this.timer.unref();
    }
  }

  markDirty(s: Syncable): void {
    if (this.policy !== 'never') this.dirty.add(s);
  }

  /** Drops a file about to be closed or deleted (call flushOne first if it must be durable). */
  forget(s: Syncable): void {
    this.dirty.delete(s);
    this.inFlight.delete(s);
    this.again.delete(s);
  }

  /** Number of asynchronous fsyncs still running (for tests and diagnostics). */
  get syncsInFlight(): number {
    return this.inFlight.size;
  }

  /** Resolves once acknowledged writes are as durable as the policy promises. */
  ack(): Promise<void> | undefined {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.policy !== 'always' || this.dirty.size === 0) return undefined;
    if (this.pending === null) {
      this.pending = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending = null;
          try {
            this.flushNow();
            resolve();
          } catch (e) {
            reject(e);
          }
        });
      });
    }
    return this.pending;
  }

  /**
   * fsyncs every dirty file now, on this thread, and those whose background fsync is still
   * running (their data must be on disk when this returns, e.g. at close).
   */
  flushNow(): void {
    for (const s of this.inFlight) s.sync();
    for (const s of this.dirty) {
      this.dirty.delete(s);
      s.sync();
    }
  }

  /** The interval timer: starts an fsync off the event loop for every dirty file. */
  flushInBackground(): void {
    for (const s of this.dirty) {
      if (this.inFlight.has(s)) {
        this.again.add(s);
        continue;
      }
      this.dirty.delete(s);
      this.startSync(s);
    }
  }

  private startSync(s: Syncable): void {
    if (s.syncAsync === undefined) {
      try {
        s.sync();
      } catch (e) {
        this.fail(s, e);
      }
      return;
    }
    this.inFlight.add(s);
    s.syncAsync((err) => {
      if (!this.inFlight.delete(s)) return; // forgotten (closed) meanwhile
      if (err !== null) {
        this.fail(s, err);
        return;
      }
      if (this.again.delete(s) && this.dirty.delete(s)) this.startSync(s);
    });
  }

  private fail(s: Syncable, err: unknown): void {
    if (this.failure !== null) return;
    const file = s.path ?? 'a log file';
    this.failure = new StreamwrightError(
      'BACKEND',
      `fdatasync of ${file} failed (${err instanceof Error ? err.message : String(err)}): acknowledged writes to it may not survive a power loss, and the embedded log refuses further writes. ` +
        'Check the disk and the file system (dmesg), then restart the app; the open-time scan keeps every batch that reached the file intact.',
      { path: file, flush: this.policy },
      { cause: err },
    );
  }

  /** Makes a file's directory entry durable (new or renamed files under `always`). */
  syncDir(dir: string): void {
    if (this.policy !== 'always') return;
    syncDirectory(dir);
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flushNow();
    this.inFlight.clear();
    this.again.clear();
  }
}

export function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the data files themselves are still synced.
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
