import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { KStream } from '../../src/dsl/kstream.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

// Worked examples: each operator gets fixed input records and the output Kafka Streams would produce,
// written out by hand. Keys and values are strings unless said otherwise.

const S = Serdes.String();
const strings = { keySerde: S, valueSerde: S };
let driver: TopologyTestDriver | undefined;

afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Builds `define(stream of "in")`, pipes `input` (key, value, timestamp) and returns records of "out". */
function run(define: (s: KStream<string, string>) => void, input: readonly (readonly [string | null, string | null, number])[]) {
  const b = new StreamsBuilder();
  define(b.stream<string, string>('in', strings));
  driver = new TopologyTestDriver(b.build(), { 'default.key.serde': 'String', 'default.value.serde': 'String' });
  const topic = driver.createInputTopic('in', S, S);
  for (const [k, v, ts] of input) topic.pipeInput(k as string, v as string, ts);
  return driver.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp] as const);
}

const INPUT = [
  ['a', 'apple', 10],
  ['b', 'banana', 20],
  ['c', 'cherry', 30],
  ['a', 'avocado', 40],
] as const;

describe('filter / filterNot', () => {
  it('filter keeps records whose predicate holds, in order, with their timestamps', () => {
    expect(run((s) => s.filter((k) => k === 'a').to('out'), INPUT)).toEqual([
      ['a', 'apple', 10],
      ['a', 'avocado', 40],
    ]);
  });

  it('filterNot keeps the others', () => {
    expect(run((s) => s.filterNot((k) => k === 'a').to('out'), INPUT)).toEqual([
      ['b', 'banana', 20],
      ['c', 'cherry', 30],
    ]);
  });

  it('the predicate sees key and value', () => {
    const seen: [string, string][] = [];
    run((s) => s.filter((k, v) => (seen.push([k, v]), v.length > 5)).to('out'), INPUT);
    expect(seen).toEqual(INPUT.map(([k, v]) => [k, v]));
  });
});

describe('map / mapValues / selectKey', () => {
  it('map replaces key and value', () => {
    expect(run((s) => s.map((k, v) => [v, k.toUpperCase()] as const).to('out'), INPUT.slice(0, 2))).toEqual([
      ['apple', 'A', 10],
      ['banana', 'B', 20],
    ]);
  });

  it('mapValues gets (value, key) and keeps the key', () => {
    expect(run((s) => s.mapValues((v, k) => `${k}:${v.length}`).to('out'), INPUT.slice(0, 3))).toEqual([
      ['a', 'a:5', 10],
      ['b', 'b:6', 20],
      ['c', 'c:6', 30],
    ]);
  });

  it('selectKey replaces only the key', () => {
    expect(run((s) => s.selectKey((_k, v) => v[0].toUpperCase()).to('out'), INPUT.slice(2))).toEqual([
      ['C', 'cherry', 30],
      ['A', 'avocado', 40],
    ]);
  });

  it('null keys and values flow through (tombstones)', () => {
    expect(run((s) => s.mapValues((v) => v).to('out'), [[null, 'x', 1], ['k', null, 2]])).toEqual([
      [null, 'x', 1],
      ['k', null, 2],
    ]);
  });
});

describe('flatMap / flatMapValues', () => {
  it('flatMap emits zero or more records per input, each with the input timestamp', () => {
    const out = run((s) => s.flatMap((k, v) => [...v.slice(0, 2)].map((ch, i) => [`${k}${i}`, ch] as const)).to('out'), [
      ['a', 'xyz', 5],
      ['b', '', 6],
      ['c', 'q', 7],
    ]);
    expect(out).toEqual([
      ['a0', 'x', 5],
      ['a1', 'y', 5],
      ['c0', 'q', 7],
    ]);
  });

  it('flatMapValues keeps the key and accepts any iterable (generators too)', () => {
    function* words(v: string): Generator<string> {
      for (const w of v.split(' ')) if (w) yield w;
    }
    expect(run((s) => s.flatMapValues((v) => words(v)).to('out'), [['k', 'the quick  fox', 3], ['e', '', 4]])).toEqual([
      ['k', 'the', 3],
      ['k', 'quick', 3],
      ['k', 'fox', 3],
    ]);
  });
});

describe('peek / foreach', () => {
  it('peek sees every record and forwards it unchanged', () => {
    const seen: string[] = [];
    const out = run((s) => s.peek((k, v) => seen.push(`${k}=${v}`)).to('out'), INPUT.slice(0, 2));
    expect(seen).toEqual(['a=apple', 'b=banana']);
    expect(out).toEqual([
      ['a', 'apple', 10],
      ['b', 'banana', 20],
    ]);
  });

  it('foreach is terminal and sees records after upstream operators', () => {
    const seen: [string, string][] = [];
    run((s) => s.filter((k) => k !== 'b').foreach((k, v) => seen.push([k, v])), INPUT);
    expect(seen).toEqual([
      ['a', 'apple'],
      ['c', 'cherry'],
      ['a', 'avocado'],
    ]);
  });
});

describe('merge', () => {
  it('forwards records of both parents in processing order', () => {
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('left', strings);
    const right = b.stream<string, string>('right', strings);
    left.mapValues((v) => `L${v}`).merge(right.mapValues((v) => `R${v}`)).to('out', strings);
    driver = new TopologyTestDriver(b.build());
    const l = driver.createInputTopic('left', S, S);
    const r = driver.createInputTopic('right', S, S);
    l.pipeInput('k1', '1', 1);
    r.pipeInput('k2', '2', 2);
    l.pipeInput('k3', '3', 3);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      ['k1', 'L1'],
      ['k2', 'R2'],
      ['k3', 'L3'],
    ]);
  });

  it('merge keeps serdes only when both sides agree', () => {
    const b = new StreamsBuilder();
    const x = b.stream('x', strings);
    const y = b.stream('y', strings);
    const z = b.stream('z', { keySerde: S, valueSerde: Serdes.Json<string>() });
    expect(x.merge(y).state.valueSerde).toBe(S);
    expect(x.merge(z).state.valueSerde).toBeUndefined();
    expect(x.merge(z).state.keySerde).toBe(S);
  });

  it('streams from two builders cannot be merged', () => {
    const a = new StreamsBuilder().stream('a');
    const c = new StreamsBuilder().stream('c');
    expect(() => a.merge(c)).toThrow(expect.objectContaining({ code: 'TOPOLOGY_INVALID' }));
  });
});

describe('to()', () => {
  it('to(topic) writes with the Produced serdes', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings)
      .mapValues((v) => v.length)
      .to('lengths', { keySerde: S, valueSerde: Serdes.Long() });
    driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('in', S, S).pipeInput('k', 'hello', 7);
    const rec = driver.createOutputTopic('lengths', S, Serdes.Long()).readRecord();
    expect([rec.key, rec.value, rec.timestamp, rec.topic]).toEqual(['k', 5, 7, 'lengths']);
    expect(driver.producedTopicNames()).toEqual(['lengths']);
  });

  it('to(extractor) routes each record to the topic the extractor returns, with record metadata', () => {
    const metas: unknown[] = [];
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings).to((k, v, meta) => {
      metas.push({ ...meta });
      return v.startsWith('err') ? `errors-${k}` : 'ok';
    });
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, S);
    t.pipeInput('x', 'fine', 100);
    t.pipeInput('y', 'error!', 200);
    t.pipeInput('x', 'still fine', 300);
    expect(driver.createOutputTopic('ok', S, S).readValuesToList()).toEqual(['fine', 'still fine']);
    expect(driver.createOutputTopic('errors-y', S, S).readKeyValuesToList()).toEqual([['y', 'error!']]);
    expect(metas).toEqual([
      { topic: 'in', partition: 0, offset: 0, timestamp: 100 },
      { topic: 'in', partition: 0, offset: 1, timestamp: 200 },
      { topic: 'in', partition: 0, offset: 2, timestamp: 300 },
    ]);
    expect(driver.producedTopicNames().sort()).toEqual(['errors-y', 'ok']);
  });

  it('an extractor returning no topic is a typed error naming the sink', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings).to(() => '', { name: 'router' });
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, S);
    expect(() => t.pipeInput('k', 'v', 1)).toThrow(expect.objectContaining({ code: 'TOPIC_INVALID_NAME', message: expect.stringContaining('"router"') }));
  });

  it('headers are carried to the output', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings).filter(() => true).to('out');
    driver = new TopologyTestDriver(b.build());
    const headers = [{ key: 'trace', value: Buffer.from('abc') }];
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 1, headers);
    expect(driver.createOutputTopic('out', S, S).readRecord().headers).toEqual(headers);
  });
});
