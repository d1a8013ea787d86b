import { describe, expect, it } from 'vitest';
import { Flushed, LruList, type CacheEntry } from '../../src/state/kv-cache-lru.js';
import { rng } from './state-test-helpers.js';

function entry(key: number): CacheEntry<number, string> {
  return { key, id: key, keyBytes: undefined, value: `v${key}`, timestamp: 0, dirty: false, flushedState: Flushed.Unknown, flushed: undefined, size: 0, seq: key, prev: null, next: null };
}

/** Head to tail through next, checked against tail to head through prev (at most 101 links
 * each way, so a cycle fails the test instead of hanging it). */
function order(lru: LruList<number, string>): number[] {
  const forward: number[] = [];
  for (let e = lru.head; e !== null && forward.length <= 100; e = e.next) forward.push(e.key);
  const backward: number[] = [];
  for (let e = lru.tail; e !== null && backward.length <= 100; e = e.prev) backward.push(e.key);
  expect(backward.reverse()).toEqual(forward);
  return forward;
}

describe('LruList against an array model (least recently used first)', () => {
  it('appends, touches and unlinks in the order an LRU keeps', () => {
    const r = rng(7);
    const lru = new LruList<number, string>();
    const entries = Array.from({ length: 40 }, (_, k) => entry(k));
    let model: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const e = entries[Math.floor(r() * entries.length)];
      const listed = model.includes(e.key);
      expect(lru.has(e)).toBe(listed);
      const op = r();
      if (!listed) {
        lru.append(e);
        model.push(e.key);
      } else if (op < 0.6) {
        lru.touch(e);
        model = [...model.filter((k) => k !== e.key), e.key];
      } else {
        lru.unlink(e);
        model = model.filter((k) => k !== e.key);
      }
      if (step % 97 === 0) expect(order(lru)).toEqual(model);
    }
    expect(order(lru)).toEqual(model);
  });

  it('touches the head, the tail and the only entry', () => {
    const lru = new LruList<number, string>();
    const [a, b, c] = [entry(1), entry(2), entry(3)];
    lru.append(a);
    lru.touch(a);
    expect(order(lru)).toEqual([1]);
    lru.append(b);
    lru.append(c);
    lru.touch(a);
    expect(order(lru)).toEqual([2, 3, 1]);
    lru.touch(a);
    expect(order(lru)).toEqual([2, 3, 1]);
    lru.touch(c);
    expect(order(lru)).toEqual([2, 1, 3]);
    expect(lru.head).toBe(b);
    expect(lru.tail).toBe(c);
  });
});
