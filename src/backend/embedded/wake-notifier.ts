/**
 * Wakes waiting poll() calls when something they may read changed (an append, a transaction
 * marker, a rebalance). One Promise and timer per wait, none per record.
 */
export class WakeNotifier {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    if (this.waiters.size === 0) return;
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves on the next notify() or after ms, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
