import { filter, map, scan, take, toArray } from 'rxjs';
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

describe('KStream.toObservable()', () => {
  it('emits each record as it flows, synchronously with pipeInput', () => {
    const b = new StreamsBuilder();
    const obs = b.stream<string, number>('in', { keySerde: S, valueSerde: I }).filter((_k, v) => v > 0).toObservable();
    const seen: string[] = [];
    const sub = obs.subscribe((r) => seen.push(`${r.key}=${r.value}`));
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, I);
    t.pipeInput('a', 1, 1);
    expect(seen).toEqual(['a=1']); // already delivered when pipeInput returns
    t.pipeInput('b', -2, 2);
    t.pipeInput('c', 3, 3);
    expect(seen).toEqual(['a=1', 'c=3']);
    sub.unsubscribe();
    t.pipeInput('d', 4, 4);
    expect(seen).toEqual(['a=1', 'c=3']);
  });

  it('composes with rxjs operators: a running sum per key over the first five records', async () => {
    const b = new StreamsBuilder();
    const obs = b.stream<string, number>('in', { keySerde: S, valueSerde: I }).toObservable({ name: 'tap' });
    const result = new Promise<string[]>((resolve, reject) => {
      obs
        .pipe(
          take(5),
          scan((acc, r) => ({ ...acc, [r.key]: (acc[r.key] ?? 0) + r.value }), {} as Record<string, number>),
          map((sums) => Object.entries(sums).map(([k, v]) => `${k}:${v}`).join(',')),
          filter((s) => s.length > 0),
          toArray(),
        )
        .subscribe({ next: resolve, error: reject });
    });
    const topology = b.build();
    expect(topology.node('tap').kind).toBe('foreach');
    driver = new TopologyTestDriver(topology);
    const t = driver.createInputTopic('in', S, I);
    for (const [k, v] of [['x', 1], ['y', 10], ['x', 2], ['x', 3], ['y', 20], ['z', 100]] as const) t.pipeInput(k, v, 0);
    // take(5) completed after the fifth record; the sixth is not part of the result.
    expect(await result).toEqual(['x:1', 'x:1,y:10', 'x:3,y:10', 'x:6,y:10', 'x:6,y:30']);
  });

  it('several subscribers each see every record; the topology also keeps writing its sinks', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', { keySerde: S, valueSerde: I });
    const obs = s.mapValues((v) => v * 2).toObservable();
    s.to('out', { keySerde: S, valueSerde: I });
    const a: number[] = [];
    const c: number[] = [];
    obs.subscribe((r) => a.push(r.value));
    obs.subscribe((r) => c.push(r.value));
    driver = new TopologyTestDriver(b.build());
    const t = driver.createInputTopic('in', S, I);
    t.pipeInput('k', 1, 1);
    t.pipeInput('k', 2, 2);
    expect(a).toEqual([2, 4]);
    expect(c).toEqual([2, 4]);
    expect(driver.createOutputTopic('out', S, I).readValuesToList()).toEqual([1, 2]);
  });
});
