/**
 * The checks of the stateful crash tests catch what they are meant to: worked examples of correct
 * and broken outputs (duplicates, gaps, states that never existed, lost records), built by hand
 * from Kafka's window semantics (tumbling 10 s windows, per-key order).
 */
import { describe, expect, it } from 'vitest';
import { checkAtLeastOnce, checkCachedExact, checkExact, generateInput, historyProblem, referenceUpdates, type Agg, type InputRec, type OutRec } from './fixtures/stateful-model.js';

// k0: ids 0 (5 @ 1s), 2 (7 @ 4s) in window 0; id 3 (1 @ 12s) in window 10000. k1: id 1 (3 @ 2s).
const INPUT: InputRec[] = [
  { id: 0, key: 'k0', partition: 0, amount: 5, ts: 1_000 },
  { id: 1, key: 'k1', partition: 1, amount: 3, ts: 2_000 },
  { id: 2, key: 'k0', partition: 0, amount: 7, ts: 4_000 },
  { id: 3, key: 'k0', partition: 0, amount: 1, ts: 12_000 },
];
const agg = (ids: number[]): Agg => ({ count: ids.length, sum: ids.reduce((s, id) => s + INPUT[id].amount, 0), ids });
const out = (wk: string, ids: number[]): OutRec => ({ windowKey: wk, value: agg(ids) });
const EXACT: OutRec[] = [out('k0@0', [0]), out('k1@0', [1]), out('k0@0', [0, 2]), out('k0@10000', [3])];

describe('stateful reference model and checks', () => {
  it('the reference lists every update per (key, window), in order', () => {
    expect(Object.fromEntries(referenceUpdates(INPUT))).toEqual({
      'k0@0': [agg([0]), agg([0, 2])],
      'k1@0': [agg([1])],
      'k0@10000': [agg([3])],
    });
  });

  it('exactly-once: accepts the reference, rejects a duplicate, a gap and a missing window', () => {
    expect(checkExact(EXACT, INPUT)).toEqual([]);
    expect(checkExact([...EXACT, out('k0@0', [0, 2])], INPUT)).toHaveLength(1); // duplicate
    expect(checkExact(EXACT.filter((_, i) => i !== 0), INPUT)).toHaveLength(1); // first update missing
    expect(checkExact(EXACT.filter((_, i) => i !== 1), INPUT)).toEqual(['k1@0: no output at all (reference has 1 updates)']);
  });

  it('exactly-once with caching: accepts skipped updates, rejects going backwards and states that never existed', () => {
    expect(checkCachedExact([out('k1@0', [1]), out('k0@0', [0, 2]), out('k0@10000', [3])], INPUT)).toEqual([]);
    expect(checkCachedExact([out('k0@0', [0, 2]), out('k0@0', [0]), out('k1@0', [1]), out('k0@10000', [3])], INPUT)).toHaveLength(2); // backwards, wrong final
    expect(checkCachedExact([out('k0@0', [2]), out('k0@0', [0, 2]), out('k1@0', [1]), out('k0@10000', [3])], INPUT)).toHaveLength(1); // never existed
  });

  it('at-least-once: accepts replayed tails (counted), rejects gaps and lost records', () => {
    expect(checkAtLeastOnce(EXACT, INPUT)).toEqual({ problems: [], replayedWindows: 0 });
    // Crash after id 2 was applied but before its commit: id 2 is applied again on restore.
    const replay = [...EXACT, out('k0@0', [0, 2, 2])];
    expect(checkAtLeastOnce(replay, INPUT)).toEqual({ problems: [], replayedWindows: 1 });
    expect(checkAtLeastOnce([out('k0@0', [2]), out('k1@0', [1]), out('k0@10000', [3])], INPUT).problems).toHaveLength(2); // gap, lost 0
    const wrongSum = [...EXACT.slice(0, 3), { windowKey: 'k0@10000', value: { count: 1, sum: 99, ids: [3] } }];
    expect(checkAtLeastOnce(wrongSum, INPUT).problems[0]).toBe('k0@10000: output {count 1, sum 99, ids [3]} is inconsistent: 1 ids summing to 1');
    expect(historyProblem([0, 1, 2, 1, 2, 3], [0, 1, 2, 3])).toBeUndefined();
    expect(historyProblem([0, 2], [0, 1, 2])).toMatch(/records 1 were lost/);
  });

  it('generated input is seeded, keeps each key in one partition and never falls behind the grace period', () => {
    const a = generateInput(42);
    expect(generateInput(42)).toEqual(a);
    expect(generateInput(43)).not.toEqual(a);
    for (const r of a) expect(r.partition).toBe(Number(r.key.slice(1)) % 2);
  });
});
