import * as fs from 'node:fs';

export type FlushPolicy = 'always' | 'interval' | 'never';

/** Anything with a file that can be fsynced. */
export interface Syncable {
  sync(): void;
}

/**
 * Applies the flush policy. Every write reaches the OS (page cache) before it is acknowledged,
 * so a process crash never loses an acknowledged write under any policy. The policy decides when
 * data reaches the disk: `always` fsyncs before acknowledging (writes arriving in the same tick
 * share one fsync per file), `interval` every flushIntervalMs, `never` leaves it to the OS.
 */
export class FlushScheduler {
  readonly policy: FlushPolicy;
  private readonly dirty = new Set<Syncable>();
  private pending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(policy: FlushPolicy, intervalMs: number) {
    this.policy = policy;
    if (policy === 'interval') {
      this.timer = setInterval(() => this.flushNow(), intervalMs);
      this.timer.unref();
    }
  }

  markDirty(s: Syncable): void {
    if (this.policy !== 'never') this.dirty.add(s);
  }

  /** Drops a file about to be closed or deleted (call flushOne first if it must be durable). */
  forget(s: Syncable): void {
    this.dirty.delete(s);
  }

  /** Resolves once acknowledged writes are as durable as the policy promises. */
  ack(): Promise<void> | undefined {
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

  /** fsyncs every dirty file now. */
  flushNow(): void {
    for (const s of this.dirty) {
      this.dirty.delete(s);
      s.sync();
    }
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
