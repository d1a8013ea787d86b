import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { TimeWindows } from '../../../src/dsl/windows.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { WindowedSerdes } from '../../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const L = Serdes.Long();

/**
 * Kafka Streams' KStreamWindowAggregate puts each window with the largest timestamp of the
 * records in it (max(record, stored)), and forwards the update with that timestamp; a record
 * that opens a window gives it its own timestamp.
 */
describe('time-window aggregation timestamps', () => {
  for (const [name, windows] of [
    ['tumbling', TimeWindows.ofSizeAndGrace(10, 100)],
    ['hopping', TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5)],
  ] as const) {
    it(`${name}: an out-of-order record keeps the window's largest timestamp`, () => {
      const b = new StreamsBuilder();
      b.stream('in', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(windows)
        .count({ storeName: 'counts', caching: false })
        .toStream()
        .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 10), valueSerde: L });
      const driver = new TopologyTestDriver(b.build());
      try {
        const input = driver.createInputTopic('in', S, S);
        const out = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L);
        input.pipeInput('a', 'x', 7);
        input.pipeInput('a', 'x', 3);
        input.pipeInput('a', 'x', 6);
        const got = out.readRecordsToList().filter((r) => r.key.start === 0).map((r) => [r.value, r.timestamp]);
        expect(got).toEqual([
          [1, 7],
          [2, 7],
          [3, 7],
        ]);
      } finally {
        driver.close();
      }
    });
  }
});

describe('non-windowed aggregation timestamps (KStreamAggregate, KTableAggregate)', () => {
  it('a stream count keeps the largest timestamp of its records', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'c', caching: false }).toStream().to('out', { keySerde: S, valueSerde: L });
    const driver = new TopologyTestDriver(b.build());
    try {
      const input = driver.createInputTopic('in', S, S);
      const out = driver.createOutputTopic('out', S, L);
      input.pipeInput('a', 'x', 7);
      input.pipeInput('a', 'x', 3);
      input.pipeInput('b', 'x', 4);
      expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['a', 1, 7],
        ['a', 2, 7],
        ['b', 1, 4],
      ]);
    } finally {
      driver.close();
    }
  });

  it('a table re-aggregation keeps the largest timestamp of its updates', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: S }, { storeName: 'src', caching: false })
      .groupBy((k, v) => [v, k], { keySerde: S, valueSerde: S })
      .count({ storeName: 'c', caching: false })
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const driver = new TopologyTestDriver(b.build());
    try {
      const input = driver.createInputTopic('t', S, S);
      const out = driver.createOutputTopic('out', S, L);
      input.pipeInput('k1', 'g', 9);
      input.pipeInput('k2', 'g', 5);
      expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['g', 1, 9],
        ['g', 2, 9],
      ]);
    } finally {
      driver.close();
    }
  });
});

