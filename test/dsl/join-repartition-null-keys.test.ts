import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../src/dsl/join-windows.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const I = Serdes.Int();

/**
 * KIP-962 (Kafka 3.7+): a repartition before a join keeps null keys when the join takes them (a
 * left stream-table join, the outer sides of stream-stream joins), and drops them otherwise.
 * The stream's key is changed by selectKey, so the join reads the repartition topic.
 */
function run(kind: 'join' | 'leftJoin' | 'ss-left' | 'ss-outer-right' | 'ss-inner'): [string | null, string, number][] {
  const b = new StreamsBuilder();
  const rekeyed = b.stream<string, number>('in', { keySerde: S, valueSerde: I }).selectKey((_k, v) => (v < 0 ? null : `k${v % 2}`)) as never;
  const joiner = (l: number | null, r: number | null) => `${l ?? '∅'}+${r ?? '∅'}`;
  const opts = { keySerde: S, valueSerde: I, otherValueSerde: I };
  const w = JoinWindows.ofTimeDifferenceWithNoGrace(100);
  const other = () => b.stream<string, number>('other', { keySerde: S, valueSerde: I });
  const streamOf = (s: unknown) => s as ReturnType<StreamsBuilder['stream']>;
  let out;
  if (kind === 'join' || kind === 'leftJoin') {
    const table = b.table<string, number>('t', { keySerde: S, valueSerde: I });
    out = kind === 'join' ? streamOf(rekeyed).join(table as never, joiner as never, { keySerde: S, valueSerde: I }) : streamOf(rekeyed).leftJoin(table as never, joiner as never, { keySerde: S, valueSerde: I });
  } else if (kind === 'ss-inner') out = streamOf(rekeyed).join(other() as never, joiner as never, w, opts as never);
  else if (kind === 'ss-left') out = streamOf(rekeyed).leftJoin(other() as never, joiner as never, w, opts as never);
  else out = other().outerJoin(rekeyed as never, joiner as never, w, opts as never);
  out.to('out', { keySerde: S, valueSerde: S } as never);
  const driver = new TopologyTestDriver(b.build());
  try {
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('a', 4, 10);
    input.pipeInput('b', -1, 20); // selectKey gives it a null key
    return driver.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  } finally {
    driver.close();
  }
}

describe('null keys through a join repartition (KIP-962)', () => {
  it('an inner stream-table join drops them at the repartition', () => {
    expect(run('join')).toEqual([]);
  });
  it('a left stream-table join keeps them and joins them with null', () => {
    expect(run('leftJoin')).toEqual([
      ['k0', '4+∅', 10],
      [null, '-1+∅', 20],
    ]);
  });
  it('a left stream-stream join emits the null-key record at once; an inner one drops it', () => {
    expect(run('ss-left')).toEqual([[null, '-1+∅', 20]]);
    expect(run('ss-inner')).toEqual([]);
  });
  it('an outer stream-stream join keeps null keys on its right side too', () => {
    expect(run('ss-outer-right')).toEqual([[null, '∅+-1', 20]]);
  });
});
