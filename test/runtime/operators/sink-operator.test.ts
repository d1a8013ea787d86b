import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { fetchBatch, taskFor } from './task-harness.js';

const S = Serdes.String();
const I = Serdes.Int();
const ints = { keySerde: S, valueSerde: I };

describe('sink operator', () => {
  it('a custom partitioner gets (topic, key, value, partition count); undefined leaves the choice to the producer', () => {
    const calls: unknown[] = [];
    const b = new StreamsBuilder();
    b.stream<string, number>('in', ints).to('out', {
      ...ints,
      partitioner: (topic, key, value, n) => {
        calls.push([topic, key, value, n]);
        return value < 0 ? undefined : value % n;
      },
    });
    const { task, sent } = taskFor(b.build(), { partitionsFor: (t) => (t === 'out' ? 4 : undefined) });
    task.addRecords(fetchBatch('in', 0, 0, [['a', 5, 1], ['b', -1, 2], ['c', 8, 3]], S, I));
    task.process();
    expect(calls).toEqual([
      ['out', 'a', 5, 4],
      ['out', 'b', -1, 4],
      ['out', 'c', 8, 4],
    ]);
    expect(sent.map((r) => r.partition)).toEqual([1, undefined, 0]);
  });

  it('without a known partition count the partitioner is not called', () => {
    let called = false;
    const b = new StreamsBuilder();
    b.stream<string, number>('in', ints).to('out', { ...ints, partitioner: () => ((called = true), 0) });
    const { task, sent } = taskFor(b.build(), { partitionsFor: () => undefined });
    task.addRecords(fetchBatch('in', 0, 0, [['a', 1, 1]], S, I));
    task.process();
    expect(called).toBe(false);
    expect(sent[0].partition).toBeUndefined();
  });

  it('a repartition sink writes to <application.id>-<name>-repartition with the record timestamp and headers', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', ints).repartition({ name: 'rk' }).to('out', ints);
    const { task, sent } = taskFor(b.build(), { applicationId: 'billing' });
    const fb = { ...fetchBatch('in', 0, 7, [['a', 1, 123]], S, I), headers: [[{ key: 'h', value: Buffer.from('v') }]] };
    task.addRecords(fb);
    task.process();
    expect(sent).toEqual([{ topic: 'billing-rk-repartition', partition: undefined, key: Buffer.from('a'), value: I.serialize('x', 1), timestamp: 123, headers: [{ key: 'h', value: Buffer.from('v') }] }]);
  });

  it('the task reads its repartition topic under the prefixed name', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', ints).repartition({ name: 'rk' }).mapValues((v) => v + 1).to('out', ints);
    const { task, sent } = taskFor(b.build(), { applicationId: 'billing', sub: 1 });
    task.addRecords(fetchBatch('billing-rk-repartition', 0, 0, [['a', 1, 5]], S, I));
    task.process();
    expect(sent.map((r) => [r.topic, I.deserialize(r.topic, r.value)])).toEqual([['out', 2]]);
    expect(() => task.addRecords(fetchBatch('rk-repartition', 0, 0, [['a', 1, 5]], S, I))).toThrow(expect.objectContaining({ code: 'TOPOLOGY_INVALID' }));
  });
});
