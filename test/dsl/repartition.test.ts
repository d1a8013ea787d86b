import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const I = Serdes.Int();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('repartition()', () => {
  it('writes through <application.id>-<name>-repartition and reads the records back in the next sub-topology', () => {
    const b = new StreamsBuilder();
    const seenDownstream: string[] = [];
    b.stream<string, string>('page-views', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v.split('/')[0])
      .repartition({ name: 'by-user', keySerde: S })
      .peek((k, v) => seenDownstream.push(`${k}:${v}`))
      .mapValues((v) => v.length)
      .to('view-lengths', { keySerde: S, valueSerde: I });
    const topology = b.build();
    expect(topology.subtopologies.length).toBe(2);
    driver = new TopologyTestDriver(topology, { 'application.id': 'shop' });
    const t = driver.createInputTopic('page-views', S, S);
    t.pipeInput('s1', 'alice/home', 100);
    t.pipeInput('s2', 'bob/cart', 200);
    t.pipeInput('s1', 'alice/checkout', 300);

    expect(driver.producedTopicNames().sort()).toEqual(['shop-by-user-repartition', 'view-lengths']);
    // The internal topic holds the re-keyed records, with their timestamps.
    expect(driver.createOutputTopic('shop-by-user-repartition', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['alice', 'alice/home', 100],
      ['bob', 'bob/cart', 200],
      ['alice', 'alice/checkout', 300],
    ]);
    expect(seenDownstream).toEqual(['alice:alice/home', 'bob:bob/cart', 'alice:alice/checkout']);
    expect(driver.createOutputTopic('view-lengths', S, I).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['alice', 10, 100],
      ['bob', 8, 200],
      ['alice', 14, 300],
    ]);
  });

  it('an unnamed repartition uses the generated name; the stream no longer needs repartitioning', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { keySerde: S, valueSerde: S }).map((k, v) => [v, k] as const);
    expect(s.state.repartitionRequired).toBe(true);
    const r = s.repartition({ keySerde: S, valueSerde: S });
    expect(r.state.repartitionRequired).toBe(false);
    r.to('out', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build(), { 'application.id': 'app' });
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 1);
    expect(driver.producedTopicNames().sort()).toEqual(['app-KSTREAM-REPARTITION-0000000002-repartition', 'out']);
    expect(driver.createOutputTopic('out', S, S).readKeyValue()).toEqual(['v', 'k']);
  });

  it('chained repartitions pass records through three sub-topologies', () => {
    const b = new StreamsBuilder();
    const serdes = { keySerde: S, valueSerde: I };
    b.stream<string, number>('in', serdes)
      .repartition({ name: 'r1' })
      .mapValues((v) => v + 1)
      .repartition({ name: 'r2', ...serdes })
      .mapValues((v) => v * 10)
      .to('out', serdes);
    const topology = b.build();
    expect(topology.subtopologies.map((s) => [...s.sourceTopics, ...s.internalSourceTopics])).toEqual([['in'], ['r1-repartition'], ['r2-repartition']]);
    driver = new TopologyTestDriver(topology);
    const t = driver.createInputTopic('in', S, I);
    [1, 2, 3].forEach((v, i) => t.pipeInput(`k${v}`, v, i));
    expect(driver.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      ['k1', 20],
      ['k2', 30],
      ['k3', 40],
    ]);
  });

  it('the repartition topic keeps the stream’s serdes unless Repartitioned overrides them', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', { keySerde: S, valueSerde: I }).repartition({ name: 'r', valueSerde: Serdes.Long() }).to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { 'application.id': 'x' });
    driver.createInputTopic('in', S, I).pipeInput('k', 5, 1);
    // The internal topic holds an 8-byte Long, not a 4-byte Int.
    expect(driver.createOutputTopic('x-r-repartition', S, Serdes.Bytes()).readValue()).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]));
    expect(driver.createOutputTopic('out', S, I).readValue()).toBe(5);
  });

  it('numberOfPartitions must be a positive integer', () => {
    const s = new StreamsBuilder().stream('in');
    for (const n of [0, -1, 1.5]) expect(() => s.repartition({ numberOfPartitions: n })).toThrow(expect.objectContaining({ code: 'TOPOLOGY_INVALID' }));
    expect(s.builder.build().internalTopics).toEqual([]);
    s.repartition({ name: 'ok', numberOfPartitions: 3 });
    expect(s.builder.build().internalTopics.map((t) => [t.name, t.partitions])).toEqual([['ok-repartition', 3]]);
  });
});
