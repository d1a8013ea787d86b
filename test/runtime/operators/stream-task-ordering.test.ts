import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { isStreamwrightError } from '../../../src/errors/streamwright-error.js';
import type { ProcessorContext } from '../../../src/graph/processor-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { needsRecordOrder } from '../../../src/runtime/record-order.js';
import { decode, fetchBatch, taskFor } from './task-harness.js';

const S = Serdes.String();
const I = Serdes.Int();
const ints = { keySerde: S, valueSerde: I };

/** One source over `topics` with a peek that logs "<topic>@<offset>:<value>" in processing order. */
function loggingTopology(topics: string[]) {
  const b = new StreamsBuilder();
  const order: number[] = [];
  b.stream<string, number>(topics, ints).peek((_k, v) => order.push(v)).to('out', ints);
  return { topology: b.build(), order };
}

describe('StreamTask record order', () => {
  it('two fetched batches of one partition are processed in offset order, not re-sorted by timestamp', () => {
    const { topology, order } = loggingTopology(['in']);
    const { task, sent } = taskFor(topology);
    // Value = offset; timestamps go back and forth inside the partition.
    task.addRecords(fetchBatch('in', 0, 0, [['k', 0, 50], ['k', 1, 10], ['k', 2, 30]], S, I));
    task.addRecords(fetchBatch('in', 0, 3, [['k', 3, 20], ['k', 4, 80]], S, I));
    expect(task.buffered()).toBe(5);
    expect(task.process()).toBe(5);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(decode(sent, 'out', S, I).map((r) => r[2])).toEqual([50, 10, 30, 20, 80]);
    expect(task.streamTime()).toBe(80);
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 5 }]);
  });

  it('partitions of two co-partitioned topics are interleaved by record timestamp', () => {
    const { topology, order } = loggingTopology(['left', 'right']);
    const { task } = taskFor(topology);
    // Value = timestamp, so the expected order is simply ascending values.
    task.addRecords(fetchBatch('left', 0, 100, [['a', 1, 1], ['a', 4, 4], ['a', 5, 5], ['a', 9, 9]], S, I));
    task.addRecords(fetchBatch('right', 0, 7, [['a', 2, 2], ['a', 3, 3], ['a', 6, 6], ['a', 10, 10]], S, I));
    task.process();
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 9, 10]);
    expect(task.committableOffsets()).toEqual([
      { topic: 'left', partition: 0, offset: 104 },
      { topic: 'right', partition: 0, offset: 11 },
    ]);
  });

  it('merged sources in one sub-topology are interleaved by timestamp too, batch after batch', () => {
    const b = new StreamsBuilder();
    const order: number[] = [];
    b.stream<string, number>('x', ints).merge(b.stream<string, number>('y', ints)).foreach((_k, v) => order.push(v));
    const { task } = taskFor(b.build());
    task.addRecords(fetchBatch('x', 0, 0, [['k', 10, 10], ['k', 30, 30]], S, I));
    task.addRecords(fetchBatch('y', 0, 0, [['k', 20, 20]], S, I));
    task.addRecords(fetchBatch('y', 0, 1, [['k', 25, 25], ['k', 40, 40]], S, I));
    task.addRecords(fetchBatch('x', 0, 2, [['k', 35, 35]], S, I));
    task.process();
    expect(order).toEqual([10, 20, 25, 30, 35, 40]);
  });

  it('process(max) stops after max records and resumes where it stopped', () => {
    const { topology, order } = loggingTopology(['in']);
    const { task } = taskFor(topology);
    task.addRecords(fetchBatch('in', 0, 0, [['k', 0, 0], ['k', 1, 1], ['k', 2, 2], ['k', 3, 3]], S, I));
    expect(task.process(3)).toBe(3);
    expect(order).toEqual([0, 1, 2]);
    expect(task.buffered()).toBe(1);
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 3 }]);
    expect(task.process(10)).toBe(1);
    expect(task.process()).toBe(0);
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 4 }]);
  });

  it('clearBuffers() drops unprocessed records without moving committable offsets', () => {
    const { topology, order } = loggingTopology(['in']);
    const { task } = taskFor(topology);
    task.addRecords(fetchBatch('in', 0, 0, [['k', 0, 0], ['k', 1, 1]], S, I));
    task.process(1);
    task.clearBuffers();
    expect(task.buffered()).toBe(0);
    expect(task.process()).toBe(0);
    expect(order).toEqual([0]);
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: 1 }]);
  });

  it('records of a topic no source reads are TOPOLOGY_INVALID naming the task and topic', () => {
    const { topology } = loggingTopology(['in']);
    const { task } = taskFor(topology);
    let err: unknown;
    try {
      task.addRecords(fetchBatch('other', 0, 0, [['k', 1, 1]], S, I));
    } catch (e) {
      err = e;
    }
    expect(isStreamwrightError(err, 'TOPOLOGY_INVALID')).toBe(true);
    expect((err as Error).message).toContain('"other"');
    expect((err as Error).message).toContain('0_0');
  });
});

describe('StreamTask keeps Kafka’s depth-first order where paths meet again', () => {
  const batch = fetchBatch('in', 0, 0, [['k', 1, 1], ['k', 2, 2], ['k', 3, 3], ['k', 4, 4]], S, I);

  it('split() then merge() keeps the input order of each key (Kafka: 1, 2, 3, 4)', () => {
    const b = new StreamsBuilder();
    const m = b.stream<string, number>('in', ints).split({ name: 'p-' }).branch((_k, v) => v % 2 === 0, { name: 'even' }).defaultBranch({ name: 'odd' });
    m.get('p-even')!.merge(m.get('p-odd')!).to('out', ints);
    const { task, sent } = taskFor(b.build());
    task.addRecords(batch);
    task.process();
    expect(decode(sent, 'out', S, I).map((r) => r[1])).toEqual([1, 2, 3, 4]);
  });

  it('two sinks writing one topic interleave per record (Kafka: 1, 10, 2, 20, ...)', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', ints);
    s.to('out', ints);
    s.mapValues((v) => v * 10).to('out', ints);
    const { task, sent } = taskFor(b.build());
    task.addRecords(batch);
    task.process();
    expect(decode(sent, 'out', S, I).map((r) => r[1])).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
  });

  it('needsRecordOrder() is false for plain pipelines and fan-outs to different topics', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', ints);
    s.filter(() => true).to('a', ints);
    s.mapValues((v) => v).to('b', ints);
    expect(needsRecordOrder(b.build().nodes)).toBe(false);
    const withExtractor = new StreamsBuilder();
    const t = withExtractor.stream<string, number>('in', ints);
    t.to(() => 'x', ints);
    expect(needsRecordOrder(withExtractor.build().nodes)).toBe(false);
    t.to('y', ints); // an extractor may pick "y" too
    expect(needsRecordOrder(withExtractor.build().nodes)).toBe(true);
  });
});

describe('StreamTask stream time seen by a custom Processor', () => {
  it('currentStreamTimeMs() is the largest timestamp up to the current record, even inside one fetched batch', () => {
    const b = new StreamsBuilder();
    const seen: number[] = [];
    b.stream<string, number>('in', ints).process(() => {
      let ctx!: ProcessorContext<unknown, unknown>;
      return { init: (c) => void (ctx = c), process: () => void seen.push(ctx.currentStreamTimeMs()) };
    });
    const { task } = taskFor(b.build());
    task.addRecords(fetchBatch('in', 0, 0, [['k', 1, 10], ['k', 2, 50], ['k', 3, 20], ['k', 4, 60]], S, I));
    task.process();
    // Kafka: stream time advances record by record; it never shows a record not yet processed.
    expect(seen).toEqual([10, 50, 50, 60]);
  });
});
