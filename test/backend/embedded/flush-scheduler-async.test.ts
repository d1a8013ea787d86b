/**
 * The embedded log's interval fsync runs off the event loop (bench (d) found the synchronous one
 * stalling processing). Lives under test/bench because the benchmark engineer owns this change;
 * it tests src/backend/embedded/flush-scheduler.ts and segment-file.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlushScheduler, type Syncable } from '../../../src/backend/embedded/flush-scheduler.js';
import { Segment } from '../../../src/backend/embedded/segment-file.js';
import { isStreamwrightError } from '../../../src/errors/streamwright-error.js';

/** A file whose fsyncs are recorded and whose background fsync completes only when told to. */
class FakeFile implements Syncable {
  readonly path: string;
  syncs = 0;
  asyncStarts = 0;
  private waiting: ((err: Error | null) => void)[] = [];
  constructor(name: string) {
    this.path = name;
  }
  sync(): void {
    this.syncs++;
  }
  syncAsync(done: (err: Error | null) => void): void {
    this.asyncStarts++;
    this.waiting.push(done);
  }
  finish(err: Error | null = null): void {
    const w = this.waiting.shift();
    if (w === undefined) throw new Error('no fsync running');
    w(err);
  }
  get running(): number {
    return this.waiting.length;
  }
}

const schedulers: FlushScheduler[] = [];
function scheduler(policy: 'always' | 'interval' | 'never'): FlushScheduler {
  // A long interval: the tests drive the timer's work by calling flushInBackground().
  const s = new FlushScheduler(policy, 3_600_000);
  schedulers.push(s);
  return s;
}
afterEach(() => {
  for (const s of schedulers.splice(0)) s.close();
});

/** What descriptor fd refers to (Linux /proc), or undefined when it is closed. */
function openTarget(fd: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** Waits for `cond` (a real fsync can take seconds on a busy disk, so the limit is generous). */
async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  if (!cond()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('FlushScheduler, log.flush=interval', () => {
  it('starts background fsyncs instead of syncing on the event loop, and acks without waiting', () => {
    const f = new FakeFile('a.log');
    const s = scheduler('interval');
    s.markDirty(f);
    expect(s.ack()).toBeUndefined();
    s.flushInBackground();
    expect(f.syncs).toBe(0);
    expect(f.asyncStarts).toBe(1);
    expect(s.syncsInFlight).toBe(1);
    f.finish();
    expect(s.syncsInFlight).toBe(0);
    s.flushInBackground(); // nothing written since: no new fsync
    expect(f.asyncStarts).toBe(1);
  });

  it('a file written during its fsync is synced again once that fsync finishes, never twice at once', () => {
    const f = new FakeFile('a.log');
    const s = scheduler('interval');
    s.markDirty(f);
    s.flushInBackground();
    s.markDirty(f); // appended while the fsync runs
    s.flushInBackground(); // the next tick finds it still running
    expect(f.running).toBe(1);
    f.finish();
    expect(f.asyncStarts).toBe(2);
    f.finish();
    expect(s.syncsInFlight).toBe(0);
    expect(f.asyncStarts).toBe(2);
  });

  it('a write during an fsync with no tick meanwhile waits for the next tick', () => {
    const f = new FakeFile('a.log');
    const s = scheduler('interval');
    s.markDirty(f);
    s.flushInBackground();
    s.markDirty(f);
    f.finish();
    expect(f.asyncStarts).toBe(1);
    s.flushInBackground();
    expect(f.asyncStarts).toBe(2);
  });

  it('close() syncs, on the spot, files whose background fsync has not finished and dirty ones', () => {
    const running = new FakeFile('running.log');
    const dirty = new FakeFile('dirty.log');
    const s = new FlushScheduler('interval', 3_600_000);
    s.markDirty(running);
    s.flushInBackground();
    s.markDirty(dirty);
    s.close();
    expect(running.syncs).toBe(1);
    expect(dirty.syncs).toBe(1);
    running.finish(); // a late completion after close is ignored
    expect(s.syncsInFlight).toBe(0);
  });

  it('a failed fsync makes every later ack fail with a BACKEND error naming the file', async () => {
    const f = new FakeFile('/data/topics/bids/0/00000000000000000000.log');
    const s = scheduler('interval');
    s.markDirty(f);
    s.flushInBackground();
    f.finish(new Error('EIO: i/o error, fdatasync'));
    for (let i = 0; i < 2; i++) {
      const err = await s.ack()!.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isStreamwrightError(err, 'BACKEND')).toBe(true);
      expect((err as Error).message).toContain('00000000000000000000.log');
      expect((err as Error).message).toContain('EIO');
    }
  });

  it('a forgotten (closed) file is not synced again by close()', () => {
    const f = new FakeFile('a.log');
    const s = new FlushScheduler('interval', 3_600_000);
    s.markDirty(f);
    s.flushInBackground();
    s.forget(f);
    s.close();
    expect(f.syncs).toBe(0);
    f.finish();
  });
});

describe('FlushScheduler, log.flush=always', () => {
  it('still fsyncs before acknowledging, on the spot, once per file for writes in one tick', async () => {
    const a = new FakeFile('a.log');
    const b = new FakeFile('b.log');
    const s = scheduler('always');
    s.markDirty(a);
    s.markDirty(b);
    s.markDirty(a);
    const p1 = s.ack();
    const p2 = s.ack();
    expect(p1).toBeDefined();
    expect(a.syncs).toBe(0);
    await p1;
    await p2;
    expect([a.syncs, b.syncs, a.asyncStarts, b.asyncStarts]).toEqual([1, 1, 0, 0]);
  });
});

describe('Segment.syncAsync', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps the descriptor open until the fsync finished when the segment is closed and deleted meanwhile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-fsync-'));
    dirs.push(dir);
    const file = path.join(dir, '00000000000000000000.log');
    const seg = Segment.create(file, 0);
    const fd = seg.fd;
    fs.writeSync(fd, Buffer.alloc(64 * 1024, 7), 0, 64 * 1024, 0);
    let result: Error | null | undefined;
    seg.syncAsync((err) => {
      result = err;
    });
    seg.close();
    fs.rmSync(file);
    // The callback cannot have run yet (we have not yielded): the descriptor must still be ours.
    expect(seg.fd).toBe(-1);
    expect(fs.fstatSync(fd).size).toBe(64 * 1024);
    await until(() => result !== undefined, 'the fsync');
    expect(result).toBeNull();
    // Closed now: the descriptor is gone, or (after the awaits) already reused for another file.
    expect(openTarget(fd)?.startsWith(file) ?? false).toBe(false);
  });

  it('closes at once when no fsync runs, and a closed segment reports done without syncing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-fsync-'));
    dirs.push(dir);
    const seg = Segment.create(path.join(dir, '00000000000000000000.log'), 0);
    const fd = seg.fd;
    seg.close();
    expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
    let result: Error | null | undefined;
    seg.syncAsync((err) => {
      result = err;
    });
    expect(result).toBeNull();
  });
});
