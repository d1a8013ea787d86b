import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { TimestampExtractor } from '../../src/graph/processor-types.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { caught } from '../errors/caught-error.js';

const S = Serdes.String();
const I = Serdes.Int();
const J = Serdes.Json<{ id: string; at: number }>();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('timestamps', () => {
  it('outputs carry the input timestamp; auto timestamps start and advance as configured', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out');
    driver = new TopologyTestDriver(b.build(), {}, 777);
    const out = driver.createOutputTopic('out', S, S);
    driver.createInputTopic('in', S, S).pipeInput('k', 'wall', undefined); // defaults to the driver's wall clock
    const t = driver.createInputTopic('in', S, S, { startTimestampMs: 1000, autoAdvanceMs: 10 });
    t.pipeInput('k', 'a');
    t.pipeInput('k', 'b');
    t.pipeInput('k', 'explicit', 5);
    t.advanceTime(100);
    t.pipeValue('c');
    t.pipeKeyValueList([['x', 'l1'], ['y', 'l2']], 2000, 3);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k', 'wall', 777],
      ['k', 'a', 1000],
      ['k', 'b', 1010],
      ['k', 'explicit', 5],
      [null, 'c', 1120],
      ['x', 'l1', 2000],
      ['y', 'l2', 2003],
    ]);
  });

  it('a custom timestamp extractor (Consumed) sets event time from the value', () => {
    const calls: unknown[] = [];
    const fromValue: TimestampExtractor = (key, value, recordTs, partitionTime) => {
      calls.push([key, recordTs, partitionTime]);
      return (value as { at: number }).at;
    };
    const b = new StreamsBuilder();
    b.stream('events', { keySerde: S, valueSerde: J, timestampExtractor: fromValue }).mapValues((v) => v.id).to('ids', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('events', S, J);
    t.pipeInput('a', { id: 'e1', at: 500 }, 1);
    t.pipeInput('b', { id: 'e2', at: 300 }, 2);
    t.pipeInput('c', { id: 'e3', at: 900 }, 3);
    expect(driver.createOutputTopic('ids', S, S).readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([
      ['e1', 500],
      ['e2', 300],
      ['e3', 900],
    ]);
    // partitionTime is the task's stream time before the record: unknown (-1), then the largest so far.
    expect(calls).toEqual([
      ['a', 1, -1],
      ['b', 2, 500],
      ['c', 3, 500],
    ]);
  });

  it('default.timestamp.extractor applies to sources without their own', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: I }).to('out', { keySerde: S, valueSerde: I });
    b.stream('own', { keySerde: S, valueSerde: I, timestampExtractor: () => 42 }).to('out2', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { 'default.timestamp.extractor': (_k: unknown, v: unknown) => (v as number) * 1000 });
    driver.createInputTopic('in', S, I).pipeInput('k', 7, 1);
    driver.createInputTopic('own', S, I).pipeInput('k', 7, 1);
    expect(driver.createOutputTopic('out', S, I).readRecord().timestamp).toBe(7000);
    expect(driver.createOutputTopic('out2', S, I).readRecord().timestamp).toBe(42);
  });

  it('negative timestamps are dropped and counted as dropped-records-total{reason=invalid-timestamp}', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: I, timestampExtractor: (_k, v, ts) => ((v as number) < 0 ? (v as number) : ts) }).to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, I);
    t.pipeInput('a', 1, 10);
    t.pipeInput('b', 2, -1); // negative record timestamp
    t.pipeInput('c', -5, 20); // the extractor returns -5
    t.pipeInput('d', 4, 30);
    expect(driver.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      ['a', 1],
      ['d', 4],
    ]);
    const m = driver.metrics();
    expect(m.total('dropped-records-total', { reason: 'invalid-timestamp' })).toBe(2);
    expect(m.total('dropped-records-total', { reason: 'deserialization-error' })).toBe(0);
    expect(m.snapshot()).toContainEqual({ name: 'dropped-records-total', tags: { task: '0_0', node: 'KSTREAM-SOURCE-0000000000', reason: 'invalid-timestamp' }, value: 2 });
  });
});

describe('bad input', () => {
  /** "in" is read as Int; piping 3 bytes of a String makes an undeserializable record. */
  function intPipeline(config: Record<string, unknown> = {}) {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: I }).to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), config);
    return { raw: driver.createInputTopic('in', S, S), ints: driver.createInputTopic('in', S, I), out: driver.createOutputTopic('out', S, I) };
  }

  it('default log-and-fail: DESERIALIZATION naming topic, partition and offset and what to do', () => {
    const { raw, ints, out } = intPipeline();
    ints.pipeInput('ok', 1, 1);
    const e = caught(() => raw.pipeInput('bad', 'abc', 2));
    expect(e.code).toBe('DESERIALIZATION');
    expect(e.message).toContain('topic "in", partition 0, offset 1');
    expect(e.message).toContain('default.deserialization.exception.handler=log-and-continue');
    expect(e.details).toMatchObject({ topic: 'in', partition: 0, offset: 1 });
    ints.pipeInput('ok2', 2, 3);
    expect(out.readKeyValuesToList()).toEqual([
      ['ok', 1],
      ['ok2', 2],
    ]);
  });

  it('log-and-continue skips the record and counts it', () => {
    const { raw, ints, out } = intPipeline({ 'default.deserialization.exception.handler': 'log-and-continue' });
    ints.pipeInput('a', 1, 1);
    raw.pipeInput('bad', 'abc', 2);
    raw.pipeInput('bad', 'toolong', 3);
    ints.pipeInput('b', 2, 4);
    expect(out.readKeyValuesToList()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(driver!.metrics().total('dropped-records-total', { reason: 'deserialization-error' })).toBe(2);
  });

  it('a user function that throws is PROCESSING naming node, topic, partition and offset', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => {
        if (v === 'boom') throw new TypeError('bad value');
        return v;
      }, { name: 'parse' })
      .to('out', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, S);
    t.pipeInput('k', 'fine', 1);
    t.pipeInput('k', 'fine', 2);
    const e = caught(() => t.pipeInput('k', 'boom', 3));
    expect(e.code).toBe('PROCESSING');
    expect(e.message).toBe('Processor "parse" failed on the record from topic "in", partition 0, offset 2: bad value');
    expect(e.details).toEqual({ node: 'parse', topic: 'in', partition: 0, offset: 2 });
  });

  it('a value the sink serde cannot write is a typed error naming the sink', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => Number(v))
      .to('out', { keySerde: S, valueSerde: I, name: 'write-ints' });
    driver = new TopologyTestDriver(b.build());
    const e = caught(() => driver!.createInputTopic('in', S, S).pipeInput('k', '1.5', 1));
    expect(e.code).toBe('PROCESSING');
    expect(e.message).toContain('"write-ints"');
    expect(e.message).toContain('1.5');
  });

  it('SERDE_MISSING when a sink has no serde and no default is set; defaults fill the gap', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).mapValues((v) => v, { name: 'same' }).to('out', { name: 'writer' });
    const topology = b.build();
    const e = caught(() => new TopologyTestDriver(topology));
    expect(e.code).toBe('SERDE_MISSING');
    expect(e.message).toContain('Sink "writer" (topic: out) has no value serde');
    expect(e.message).toContain('default.value.serde');
    driver = new TopologyTestDriver(topology, { 'default.value.serde': 'String' });
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 1);
    expect(driver.createOutputTopic('out', S, S).readKeyValue()).toEqual(['k', 'v']);
  });

  it('SERDE_MISSING names a source without serdes too', () => {
    const b = new StreamsBuilder();
    b.stream('raw').foreach(() => {});
    expect(caught(() => new TopologyTestDriver(b.build())).message).toMatch(/Source "KSTREAM-SOURCE-0000000000" \(topics: raw\) has no key serde/);
  });
});

describe('driver API', () => {
  function passthrough(): TopologyTestDriver {
    const b = new StreamsBuilder();
    b.stream(/^metrics-.*/, { keySerde: S, valueSerde: S }).to('out');
    return new TopologyTestDriver(b.build(), { 'default.key.serde': 'String', 'default.value.serde': 'String' });
  }

  it('pattern sources accept any matching topic; other topics are TOPIC_NOT_FOUND', () => {
    driver = passthrough();
    driver.createInputTopic('metrics-cpu', S, S).pipeInput('h1', '0.5', 1);
    driver.createInputTopic('metrics-mem', S, S).pipeInput('h1', '0.7', 2);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['0.5', '0.7']);
    const e = caught(() => driver!.createInputTopic('logs', S, S));
    expect(e.code).toBe('TOPIC_NOT_FOUND');
    expect(e.message).toContain('"logs"');
    expect(e.message).toContain('/^metrics-.*/');
  });

  it('output topics read oldest first; readKeyValuesToMap applies tombstones', () => {
    driver = passthrough();
    const t = driver.createInputTopic('metrics-x', S, S);
    const out = driver.createOutputTopic('out', S, S);
    expect(out.isEmpty()).toBe(true);
    t.pipeInput('a', '1', 1);
    t.pipeInput('b', '2', 2);
    t.pipeInput('a', '3', 3);
    t.pipeInput('b', null as unknown as string, 4);
    expect(out.getQueueSize()).toBe(4);
    expect(out.readKeyValuesToMap()).toEqual(new Map([['a', '3']]));
    expect(out.isEmpty()).toBe(true);
    expect(caught(() => out.readRecord()).code).toBe('APP_STATE');
  });

  it('a closed driver refuses input', () => {
    driver = passthrough();
    const t = driver.createInputTopic('metrics-x', S, S);
    driver.close();
    expect(caught(() => t.pipeInput('k', 'v', 1)).code).toBe('APP_STATE');
  });
});
