import { afterEach, describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { KStream } from '../../src/dsl/kstream.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const I = Serdes.Int();
const ints = { keySerde: S, valueSerde: I };
let driver: TopologyTestDriver | undefined;

afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Sends every branch to a topic named after its map key, pipes values 0..n-1 and reads them back. */
function route(branches: Map<string, KStream<string, number>>, b: StreamsBuilder, values: readonly number[]): Record<string, number[]> {
  for (const [name, stream] of branches) stream.to(`out-${name}`, ints);
  driver = new TopologyTestDriver(b.build());
  const input = driver.createInputTopic('in', S, I);
  values.forEach((v, i) => input.pipeInput(`k${i}`, v, i));
  const out: Record<string, number[]> = {};
  for (const name of branches.keys()) out[name] = driver.createOutputTopic(`out-${name}`, S, I).readValuesToList();
  return out;
}

describe('split()', () => {
  it('named branches plus a default branch; each record goes to the first branch that matches', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', ints)
      .split({ name: 'num-' })
      .branch((_k, v) => v % 2 === 0, { name: 'even' })
      .branch((_k, v) => v % 3 === 0, { name: 'three' }) // 6 is even: it goes to "even" only
      .defaultBranch({ name: 'rest' });
    expect([...branches.keys()]).toEqual(['num-even', 'num-three', 'num-rest']);
    expect(route(branches, b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual({
      'num-even': [0, 2, 4, 6, 8],
      'num-three': [3, 9],
      'num-rest': [1, 5, 7],
    });
  });

  it('noDefaultBranch() drops records no predicate matches', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', ints)
      .split({ name: 's-' })
      .branch((_k, v) => v > 10, { name: 'big' })
      .branch((_k, v) => v < 0, { name: 'negative' })
      .noDefaultBranch();
    expect([...branches.keys()]).toEqual(['s-big', 's-negative']);
    expect(route(branches, b, [5, 11, -1, 0, 12])).toEqual({ 's-big': [11, 12], 's-negative': [-1] });
  });

  it('unnamed branches are numbered from 1 and an unnamed default is 0, after the split name', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', ints)
      .split()
      .branch((_k, v) => v === 1)
      .branch((_k, v) => v === 2, { name: 'two' })
      .branch((_k, v) => v === 3)
      .defaultBranch();
    const prefix = 'KSTREAM-BRANCH-0000000001-';
    expect([...branches.keys()]).toEqual([`${prefix}1`, `${prefix}two`, `${prefix}3`, `${prefix}0`]);
    expect(route(branches, b, [3, 2, 1, 4])).toEqual({ [`${prefix}1`]: [1], [`${prefix}two`]: [2], [`${prefix}3`]: [3], [`${prefix}0`]: [4] });
  });

  it('every predicate after the first match is not evaluated', () => {
    const calls: string[] = [];
    const b = new StreamsBuilder();
    const branches = b
      .stream<string, number>('in', ints)
      .split({ name: 'p-' })
      .branch((_k, v) => (calls.push(`a${v}`), v === 1), { name: 'a' })
      .branch((_k, v) => (calls.push(`b${v}`), true), { name: 'b' })
      .branch((_k, v) => (calls.push(`c${v}`), true), { name: 'c' })
      .noDefaultBranch();
    const out = route(branches, b, [1, 2]);
    expect(calls).toEqual(['a1', 'a2', 'b2']);
    expect(out).toEqual({ 'p-a': [1], 'p-b': [2], 'p-c': [] });
  });

  it('branches keep keys, timestamps and may be merged back', () => {
    const b = new StreamsBuilder();
    const m = b
      .stream<string, number>('in', ints)
      .split({ name: 'm-' })
      .branch((_k, v) => v < 0, { name: 'neg' })
      .defaultBranch({ name: 'pos' });
    m.get('m-neg')!
      .mapValues((v) => -v)
      .merge(m.get('m-pos')!)
      .to('abs', ints);
    driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', -3, 100);
    input.pipeInput('b', 4, 200);
    input.pipeInput('c', -5, 300);
    expect(driver.createOutputTopic('abs', S, I).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 3, 100],
      ['b', 4, 200],
      ['c', 5, 300],
    ]);
  });

  it('a predicate that throws is a PROCESSING error naming the split and the record', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('in', ints)
      .split({ name: 'boom-' })
      .branch(() => {
        throw new Error('bad predicate');
      })
      .noDefaultBranch();
    driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, I);
    expect(() => input.pipeInput('k', 1, 1)).toThrow(
      expect.objectContaining({ code: 'PROCESSING', message: expect.stringMatching(/"boom-".*topic "in", partition 0, offset 0.*bad predicate/) }),
    );
  });

  it('finishing twice or adding a branch after finishing is TOPOLOGY_INVALID', () => {
    const split = new StreamsBuilder().stream('in').split();
    split.noDefaultBranch();
    for (const act of [() => split.noDefaultBranch(), () => split.defaultBranch(), () => split.branch(() => true)]) {
      let err: unknown;
      try {
        act();
      } catch (e) {
        err = e;
      }
      expect(isStreamwrightError(err, 'TOPOLOGY_INVALID')).toBe(true);
    }
  });

  it('two branches with one name are refused before anything is added to the graph', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in');
    const split = s.split({ name: 'x-' }).branch(() => true, { name: 'same' }).branch(() => true, { name: 'same' });
    expect(() => split.noDefaultBranch()).toThrow(expect.objectContaining({ code: 'TOPOLOGY_DUPLICATE_NAME', message: expect.stringContaining('"x-same"') }));
    expect(b.build().nodes.map((n) => n.name)).toEqual(['KSTREAM-SOURCE-0000000000']);
  });
});
