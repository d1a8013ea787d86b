import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows, TopologyTestDriver, WindowedSerdes } from '../../src/index.js';
import { caught } from '../errors/caught-error.js';

interface Activity {
  readonly clicks: number;
  readonly spent: number;
}

const S = Serdes.String();
const N = Serdes.Long();
const J = Serdes.Json<Activity>();

function build(windowed: boolean) {
  const b = new StreamsBuilder();
  const clicks = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
  const purchases = b.stream('purchases', { keySerde: S, valueSerde: N }).groupByKey();
  const cogrouped = clicks
    .cogroup<Activity>((_u, _page, a) => ({ ...a, clicks: a.clicks + 1 }))
    .cogroup(purchases, (_u, amount, a) => ({ ...a, spent: a.spent + amount }));
  const init = (): Activity => ({ clicks: 0, spent: 0 });
  if (windowed) {
    cogrouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .aggregate(init, { valueSerde: J, storeName: 'activity-w' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 100), valueSerde: J });
  } else {
    cogrouped.aggregate(init, { valueSerde: J, storeName: 'activity' }).toStream().to('out', { keySerde: S, valueSerde: J });
  }
  return b.build();
}

describe('cogroup', () => {
  it('aggregates several grouped streams into one store, one update per input record', () => {
    const topology = build(false);
    // One store, shared by both aggregations, in one sub-topology with a merge.
    expect(topology.stores.map((s) => s.name)).toEqual(['activity']);
    expect(topology.subtopologies).toHaveLength(1);
    const d = new TopologyTestDriver(topology);
    const c = d.createInputTopic('clicks', S, S);
    const p = d.createInputTopic('purchases', S, N);
    c.pipeInput('ada', '/home', 1);
    p.pipeInput('ada', 30, 2);
    c.pipeInput('bob', '/docs', 3);
    p.pipeInput('ada', 12, 4);
    c.pipeInput('ada', '/cart', 5);
    // Worked example: each record updates its user's running totals.
    expect(d.createOutputTopic('out', S, J).readKeyValuesToList()).toEqual([
      ['ada', { clicks: 1, spent: 0 }],
      ['ada', { clicks: 1, spent: 30 }],
      ['bob', { clicks: 1, spent: 0 }],
      ['ada', { clicks: 1, spent: 42 }],
      ['ada', { clicks: 2, spent: 42 }],
    ]);
    expect(d.getKeyValueStore<string, Activity>('activity').get('ada')).toEqual({ clicks: 2, spent: 42 });
    d.close();
  });

  it('windows the cogrouped aggregate by time', () => {
    const d = new TopologyTestDriver(build(true));
    const c = d.createInputTopic('clicks', S, S);
    const p = d.createInputTopic('purchases', S, N);
    c.pipeInput('ada', '/home', 10);
    p.pipeInput('ada', 5, 50);
    c.pipeInput('ada', '/cart', 120); // next window [100, 200)
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 100), J).readKeyValuesToList();
    expect(out.map(([w, a]) => [w.key, w.start, w.end, a])).toEqual([
      ['ada', 0, 100, { clicks: 1, spent: 0 }],
      ['ada', 0, 100, { clicks: 1, spent: 5 }],
      ['ada', 100, 200, { clicks: 1, spent: 0 }],
    ]);
    d.close();
  });

  it('refuses the same grouped stream twice', () => {
    const b = new StreamsBuilder();
    const g = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
    expect(() => g.cogroup<number>((_k, _v, a) => a + 1).cogroup(g, (_k, _v, a) => a)).toThrow(/already part of the cogroup/);
  });

  it('refuses windows that are not TimeWindows, SlidingWindows or SessionWindows', () => {
    const b = new StreamsBuilder();
    const g = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
    const err = caught(() => g.cogroup<number>((_k, _v, a) => a + 1).windowedBy({ sizeMs: 10 } as unknown as TimeWindows));
    expect(err.code).toBe('TOPOLOGY_INVALID');
    expect(err.message).toMatch(/takes TimeWindows, SlidingWindows or SessionWindows, got an object of Object/);
  });
});

