import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { KStream } from '../../src/dsl/kstream.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { decode, fetchBatch, taskFor } from '../runtime/operators/task-harness.js';

// Reference model: the same pipeline written with plain arrays (Array#filter/map/flatMap), which
// process one record at a time in input order. The DSL must give the same records, in the same
// order, with each output carrying the timestamp of the input it came from — whether records arrive
// one by one (TopologyTestDriver) or in fetched batches of any size (StreamTask).

type Rec = [key: string, value: number, ts: number];

const keep = (_k: string, v: number): boolean => v % 3 !== 0;
const scale = (v: number, k: string): number => v * 2 + k.length;
const fan = (k: string, v: number): [string, number][] => (v % 4 === 0 ? [] : v % 4 === 1 ? [[k, v]] : [[`${k}x`, v], [k, v + 1]]);
const tooBig = (_k: string, v: number): boolean => v > 150;
const rekey = (k: string, v: number): string => `${k}-${v % 5}`;
const mirror = (v: number): number[] => (v % 2 === 0 ? [v, -v] : [v]);

function model(input: readonly Rec[]): Rec[] {
  return input
    .filter(([k, v]) => keep(k, v))
    .map(([k, v, ts]): Rec => [k, scale(v, k), ts])
    .flatMap(([k, v, ts]) => fan(k, v).map(([k2, v2]): Rec => [k2, v2, ts]))
    .filter(([k, v]) => !tooBig(k, v))
    .map(([k, v, ts]): Rec => [rekey(k, v), v, ts])
    .flatMap(([k, v, ts]) => mirror(v).map((v2): Rec => [k, v2, ts]));
}

function pipeline(s: KStream<string, number>): void {
  s.filter(keep)
    .mapValues(scale)
    .flatMap(fan)
    .filterNot(tooBig)
    .selectKey(rekey)
    .flatMapValues(mirror)
    .to('out', { keySerde: Serdes.String(), valueSerde: Serdes.Int() });
}

function topology() {
  const b = new StreamsBuilder();
  pipeline(b.stream<string, number>('in', { keySerde: Serdes.String(), valueSerde: Serdes.Int() }));
  return b.build();
}

/** mulberry32: a small seeded generator with well-mixed low bits. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

function randomInput(rand: (n: number) => number, n: number): Rec[] {
  const keys = ['a', 'bb', 'ccc', 'dddd'];
  let ts = rand(1000);
  return Array.from({ length: n }, (): Rec => {
    ts += rand(4) === 0 ? 0 : rand(50); // repeated timestamps too
    return [keys[rand(keys.length)], rand(100), ts];
  });
}

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('stateless pipeline vs a plain-array reference model', () => {
  it('a worked example, by hand', () => {
    // 3 is dropped (multiple of 3); 1 -> 1*2+1 = 3 -> fan: [ax,3],[a,4] -> rekey: ax-3, a-4 -> mirror: 3 | 4,-4.
    // 4 -> 4*2+2 = 10 -> fan (10 % 4 = 2): [bbx,10],[bb,11] -> bbx-0, bb-1 -> 10,-10 | 11. 2 -> 2*2+1 = 5 -> [a,5] -> a-0.
    expect(model([['a', 3, 1], ['a', 1, 2], ['bb', 4, 3], ['a', 2, 4]])).toEqual([
      ['ax-3', 3, 2],
      ['a-4', 4, 2],
      ['a-4', -4, 2],
      ['bbx-0', 10, 3],
      ['bbx-0', -10, 3],
      ['bb-1', 11, 3],
      ['a-0', 5, 4],
    ]);
  });

  it.each([1, 2, 3, 4, 5])('random inputs through the TopologyTestDriver (seed %i)', (seed) => {
    const input = randomInput(prng(seed), 300);
    driver = new TopologyTestDriver(topology());
    const topic = driver.createInputTopic('in', Serdes.String(), Serdes.Int());
    for (const [k, v, ts] of input) topic.pipeInput(k, v, ts);
    const got = driver
      .createOutputTopic('out', Serdes.String(), Serdes.Int())
      .readRecordsToList()
      .map((r): Rec => [r.key, r.value, r.timestamp]);
    const expected = model(input);
    expect(expected.length).toBeGreaterThan(100); // the example exercises every branch of the pipeline
    expect(got).toEqual(expected);
  });

  it.each([11, 12, 13])('random inputs in random-sized fetched batches through a StreamTask (seed %i)', (seed) => {
    const rand = prng(seed);
    const input = randomInput(rand, 500);
    const { task, sent } = taskFor(topology());
    let offset = 0;
    while (offset < input.length) {
      const size = 1 + rand(64);
      const slice = input.slice(offset, offset + size);
      task.addRecords(fetchBatch('in', 0, offset, slice, Serdes.String(), Serdes.Int()));
      offset += slice.length;
      if (rand(2) === 0) task.process(); // sometimes let batches pile up before processing
    }
    task.process();
    expect(task.buffered()).toBe(0);
    expect(sent.length).toBeGreaterThan(150);
    expect(decode(sent, 'out', Serdes.String(), Serdes.Int())).toEqual(model(input));
    expect(task.committableOffsets()).toEqual([{ topic: 'in', partition: 0, offset: input.length }]);
  });
});
