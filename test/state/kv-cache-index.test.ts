import { describe, expect, it } from 'vitest';
import { CacheIndex, type IndexedEntry } from '../../src/state/kv-cache-index.js';
import type { KeyId } from '../../src/state/key-codec.js';
import { pick, rng } from './state-test-helpers.js';

interface Entry extends IndexedEntry {
  readonly id: KeyId;
  seq: number;
}

/** Ids of every kind the cache sees: dense and far integers (colliding in the ring), negatives,
 * -0, fractions, strings, booleans and bigints. */
function ids(): KeyId[] {
  const out: KeyId[] = [];
  for (let i = 0; i < 3000; i++) out.push(i);
  for (let i = 0; i < 200; i++) out.push(i * 1024, i * 65536 + 7, -i - 1, 2 ** 31 - 1 - i, -(2 ** 31) + i);
  out.push(2 ** 31, 2 ** 40, 0.5, -2.25, NaN, 'a', 'b', '', true, false, 5n, -(2 ** 53));
  return out;
}

describe('CacheIndex against a Map model', () => {
  it('adds, finds and deletes entries of every id kind through ring growth and collisions; values() in creation order', () => {
    const r = rng(41);
    const all = ids();
    const index = new CacheIndex<Entry>();
    const model = new Map<KeyId, Entry>();
    let seq = 0;
    for (let step = 0; step < 40_000; step++) {
      const id = pick(r, all);
      const there = model.get(id);
      expect(index.get(id)).toBe(there);
      if (there === undefined) {
        // Mostly adds early on, so the ring grows; then a balance of adds and deletes.
        if (r() < (step < 15_000 ? 0.9 : 0.5)) {
          const e = { id, seq: seq++ };
          index.add(e);
          model.set(id, e);
        }
      } else if (r() < 0.5) {
        index.delete(there);
        model.delete(id);
      }
      expect(index.size).toBe(model.size);
      if (step % 5000 === 4999) {
        expect(index.values()).toEqual([...model.values()]);
        for (const id2 of all) expect(index.get(id2)).toBe(model.get(id2));
        expect(index.filter((e) => e.seq % 2 === 0)).toEqual([...model.values()].filter((e) => e.seq % 2 === 0));
      }
    }
    expect(index.get(-0)).toBe(model.get(0));
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(0)).toBeUndefined();
  });
});
