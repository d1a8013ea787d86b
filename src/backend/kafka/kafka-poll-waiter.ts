/**
 * How a poll() waits for data: up to its deadline, or until the fetch side calls notify() (records
 * arrived, a rebalance or failure happened, the consumer closed). One pending wait at a time.
 */
export class PollWaiter {
  private wake: (() => void) | undefined;

  /** Resolves after `ms`, or sooner on notify(). */
  async wait(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wake = undefined;
  }

  /** Ends the pending wait, if any. */
  notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
