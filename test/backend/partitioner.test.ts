import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/backend/partitioner.js';
import { assignByPartition } from '../../src/backend/partition-assignor.js';

describe('murmur2', () => {
  // Vectors from Apache Kafka's UtilsTest (the Java client's murmur2), so keys land where Kafka puts them.
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  it.each(cases)('murmur2(%s) = %d', (s, expected) => {
    expect(murmur2(Buffer.from(s))).toBe(expected);
  });
  it('partitions are positive and stable', () => {
    expect(partitionForKey(Buffer.from('21'), 10)).toBe((-973932308 & 0x7fffffff) % 10);
  });
});

describe('assignByPartition', () => {
  it('keeps partition p of every topic on one member', () => {
    const tps = ['a', 'b'].flatMap((topic) => [0, 1, 2].map((partition) => ({ topic, partition })));
    const out = assignByPartition(['m2', 'm1'], tps);
    expect(out.get('m1')).toEqual([{ topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 2 }]);
    expect(out.get('m2')).toEqual([{ topic: 'a', partition: 1 }, { topic: 'b', partition: 1 }]);
  });
});
