import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../src/dsl/suppressed.js';
import { TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const L = Serdes.Long();
const W = WindowedSerdes.timeWindowed(S, 10);

function build(buffer: BufferConfig) {
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    .count()
    .suppress(Suppressed.untilWindowCloses(buffer).withName('final'))
    .toStream()
    .to('out', { keySerde: W, valueSerde: L });
  return b.build();
}

describe('BufferConfig.spillToDiskWhenFull', () => {
  it('keeps the limits, is accepted by untilWindowCloses and makes the buffer store persistent', () => {
    const c = BufferConfig.maxRecords(10).withMaxBytes(4096).spillToDiskWhenFull();
    expect([c.maxRecords, c.maxBytes, c.onFull]).toEqual([10, 4096, 'spillToDisk']);
    const topo = build(c);
    expect(topo.store('final-store')).toMatchObject({ persistent: true, logging: true, caching: false });
    expect(build(BufferConfig.maxRecords(10).shutDownWhenFull()).store('final-store')).toMatchObject({ persistent: false });
  });

  it('untilWindowCloses still rejects emitEarly and names spillToDiskWhenFull as a way out', () => {
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5))).toThrow(/spillToDiskWhenFull/);
  });

  it('TopologyTestDriver keeps every store in memory: a spilling buffer acts as an unbounded one', () => {
    const driver = new TopologyTestDriver(build(BufferConfig.maxRecords(2).spillToDiskWhenFull()));
    try {
      const input = driver.createInputTopic('in', S, S);
      // Five windows of two keys wait at once (limit 2), then stream time 100 closes them all.
      for (let t = 0; t < 50; t += 10) {
        input.pipeInput('a', 'x', t);
        input.pipeInput('b', 'x', t + 1);
        input.pipeInput('a', 'x', t + 2);
      }
      input.pipeInput('z', 'x', 100);
      const out = driver.createOutputTopic('out', W, L).readKeyValuesToList().map(([k, v]) => `${k.key}@${k.start}=${v}`);
      expect(out).toEqual(['a@0=2', 'b@0=1', 'a@10=2', 'b@10=1', 'a@20=2', 'b@20=1', 'a@30=2', 'b@30=1', 'a@40=2', 'b@40=1']);
    } finally {
      driver.close();
    }
  });
});
