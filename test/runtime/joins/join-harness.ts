import type { KStream } from '../../../src/dsl/kstream.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import type { Out, SideRecord } from '../../reference/joins/join-models.js';

export const S = Serdes.String();
export const I = Serdes.Int();

/** Builds a topology reading 'left' and 'right' (String keys, Int values) into 'out', pipes the
 * records in order and returns what 'out' received. */
export function runJoin<V extends string | null>(build: (b: StreamsBuilder) => KStream<string, V>, records: readonly SideRecord[], config: Record<string, string | number> = {}): { out: Out[]; driver: TopologyTestDriver } {
  const b = new StreamsBuilder();
  build(b).to('out', { keySerde: S, valueSerde: S as Serde<V> });
  const driver = new TopologyTestDriver(b.build(), config);
  const left = driver.createInputTopic('left', S, I);
  const right = driver.createInputTopic('right', S, I);
  const output = driver.createOutputTopic('out', S, S);
  for (const r of records) (r.side === 'L' ? left : right).pipeInput(r.key as string, r.value as number, r.ts);
  const out = output.readRecordsToList().map((x) => ({ key: x.key, value: x.value, ts: x.timestamp }));
  return { out, driver };
}
