import { describe, expect, it } from 'vitest';
import { PunctuationQueue } from '../../src/runtime/punctuation-queue.js';

/**
 * Reference: Kafka Streams' PunctuationSchedule.next(now). After firing a schedule due at `t`
 * with interval `i`, the next time is t + i, unless `now` already reached it: then every
 * missed interval is skipped and the next time is the first multiple of `i` past `now`
 * (counted from `t`). The punctuator is called with `now`, not with `t`.
 */
function referenceFirings(start: number, interval: number, nows: readonly number[]): [number, number][] {
  const fired: [number, number][] = [];
  let next = start;
  nows.forEach((now, step) => {
    while (now >= 0 && next <= now) {
      fired.push([step, now]);
      const plain = next + interval;
      next = now >= plain ? next + (Math.floor((now - next) / interval) + 1) * interval : plain;
    }
  });
  return fired;
}

describe('PunctuationQueue', () => {
  it('a stream-time schedule aligned to 0 fires on the first record, then on interval boundaries', () => {
    const q = new PunctuationQueue('STREAM_TIME');
    const calls: number[] = [];
    q.schedule(10, 0, (ts) => calls.push(ts));
    expect(q.mayPunctuate(-1)).toBe(false); // no record yet: stream time unknown
    expect(q.mayPunctuate(3)).toBe(true);
    expect(calls).toEqual([3]);
    expect(q.mayPunctuate(9)).toBe(false);
    expect(q.mayPunctuate(10)).toBe(true);
    expect(q.mayPunctuate(15)).toBe(false);
    // 20 and 30 were missed: one call at 37, the next is due at 40.
    expect(q.mayPunctuate(37)).toBe(true);
    expect(q.mayPunctuate(39)).toBe(false);
    expect(q.mayPunctuate(40)).toBe(true);
    expect(calls).toEqual([3, 10, 37, 40]);
  });

  it('a first record far from 0 fires once, not once per elapsed interval', () => {
    const q = new PunctuationQueue('STREAM_TIME');
    const calls: number[] = [];
    q.schedule(100, 0, (ts) => calls.push(ts));
    q.mayPunctuate(1005);
    q.mayPunctuate(1099);
    q.mayPunctuate(1100);
    expect(calls).toEqual([1005, 1100]);
  });

  it('a wall-clock schedule starts one interval from now', () => {
    const q = new PunctuationQueue('WALL_CLOCK_TIME');
    const calls: number[] = [];
    const now = 5000;
    q.schedule(1000, now + 1000, (ts) => calls.push(ts));
    q.mayPunctuate(5999);
    expect(calls).toEqual([]);
    q.mayPunctuate(6000);
    q.mayPunctuate(8500); // 7000 and 8000 missed: one call
    q.mayPunctuate(8999);
    q.mayPunctuate(9000);
    expect(calls).toEqual([6000, 8500, 9000]);
  });

  it('several schedules fire in due order; cancel() stops one', () => {
    const q = new PunctuationQueue('STREAM_TIME');
    const calls: string[] = [];
    q.schedule(7, 7, (ts) => calls.push(`a@${ts}`));
    const b = q.schedule(5, 5, (ts) => calls.push(`b@${ts}`));
    expect(q.size).toBe(2);
    q.mayPunctuate(7);
    expect(calls).toEqual(['b@7', 'a@7']);
    b.cancel();
    expect(q.size).toBe(1);
    q.mayPunctuate(30);
    expect(calls).toEqual(['b@7', 'a@7', 'a@30']);
  });

  it('a callback may cancel its own schedule while firing', () => {
    const q = new PunctuationQueue('STREAM_TIME');
    let n = 0;
    const c = q.schedule(1, 0, () => {
      n++;
      c.cancel();
    });
    q.mayPunctuate(0);
    q.mayPunctuate(50);
    expect(n).toBe(1);
    expect(q.size).toBe(0);
  });

  it('matches the Kafka reference rule on random time sequences', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const interval = 1 + rand(20);
      const start = rand(2) === 0 ? 0 : rand(50);
      const nows: number[] = [];
      let t = rand(3) - 1;
      for (let k = 0; k < 30; k++) {
        t += rand(4) === 0 ? rand(5 * interval) : rand(3);
        nows.push(t);
      }
      const q = new PunctuationQueue('STREAM_TIME');
      const got: [number, number][] = [];
      let step = 0;
      q.schedule(interval, start, (ts) => got.push([step, ts]));
      for (step = 0; step < nows.length; step++) q.mayPunctuate(nows[step]);
      expect(got, `interval ${interval} start ${start} nows ${nows.join(',')}`).toEqual(referenceFirings(start, interval, nows));
    }
  });
});
