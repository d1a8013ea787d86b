import { describe, expect, it } from 'vitest';
import type { LogAdmin, TopicSpec } from '../../src/backend/backend-types.js';
import { joinForeignKey } from '../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { KTable } from '../../src/dsl/ktable.js';
import type { Topology } from '../../src/graph/topology.js';
import { foreignKeyTopicPartitions, withInternalTopicPartitions } from '../../src/runtime/foreign-key-topic-setup.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { setupTopics } from '../../src/runtime/topic-setup.js';
import { Serdes } from '../../src/serde/serdes.js';
import { fakeAdmin } from './fixtures/fake-admin.js';

const S = Serdes.String();
const J = Serdes.Json<{ id: string; fk: string }>();

/** A table keyed by `id`, built by groupBy().reduce() over `topic` (so read from a repartition topic), or read directly. */
function table(b: StreamsBuilder, topic: string, viaGroupBy: boolean): KTable<string, { id: string; fk: string }> {
  if (!viaGroupBy) return b.table(topic, { keySerde: S, valueSerde: J });
  return b
    .stream<string, { id: string; fk: string }>(topic, { keySerde: S, valueSerde: J })
    .groupBy((_k, v) => v.id, { name: `${topic}-by-id`, keySerde: S, valueSerde: J })
    .reduce((_old, v) => v, { storeName: `${topic}-latest`, keySerde: S, valueSerde: J });
}

function fkTopology(leftGrouped: boolean, rightGrouped: boolean): Topology {
  const b = new StreamsBuilder();
  joinForeignKey(table(b, 'left', leftGrouped), table(b, 'right', rightGrouped), (v) => v.fk, (l, r) => `${l.id}/${r?.id ?? '-'}`, { name: 'fk' })
    .toStream()
    .to('out', { keySerde: S, valueSerde: S });
  return b.build();
}

const setup = (t: Topology, admin: LogAdmin) => setupTopics(t, admin, 'app', { replicationFactor: 1, logger: silentLogger });
const created = (admin: { created: TopicSpec[] }) => Object.fromEntries(admin.created.map((t) => [t.name, t.partitions]));

describe('internal topic sizing (Kafka: from the upstream source topics)', () => {
  // Worked example: left input 3 partitions, right input 2. The registration topic is read by the
  // right table's tasks (2), the response topic by the left table's (3), whatever builds the tables.
  for (const [leftGrouped, rightGrouped] of [
    [false, false],
    [true, true],
    [true, false],
    [false, true],
  ] as const) {
    it(`foreign-key topics follow their reader's table (left ${leftGrouped ? 'via groupBy' : 'a topic'}, right ${rightGrouped ? 'via groupBy' : 'a topic'})`, async () => {
      const topology = fkTopology(leftGrouped, rightGrouped);
      const want: Record<string, number> = {
        'app-fk-subscription-registration-topic': 2,
        'app-fk-subscription-response-topic': 3,
        'app-fk-subscription-store-changelog': 2,
      };
      if (leftGrouped) Object.assign(want, { 'app-left-by-id-repartition': 3, 'app-left-latest-changelog': 3 });
      if (rightGrouped) Object.assign(want, { 'app-right-by-id-repartition': 2, 'app-right-latest-changelog': 2 });
      // setupTopics alone (no pre-sizing) ...
      const plain = fakeAdmin({ left: 3, right: 2, out: 1 });
      await setup(topology, plain);
      expect(created(plain)).toMatchObject(want);
      // ... and StreamsApp's path: foreign-key topics pre-sized (fixed) before setupTopics, before any internal topic exists.
      const admin = fakeAdmin({ left: 3, right: 2, out: 1 });
      const fixed = await foreignKeyTopicPartitions(topology, admin, 'app', silentLogger);
      expect(Object.fromEntries(fixed)).toEqual({ 'fk-subscription-registration-topic': 2, 'fk-subscription-response-topic': 3 });
      await setup(withInternalTopicPartitions(topology, fixed), admin);
      expect(created(admin)).toMatchObject(want);
    });
  }

  it('a repartition topic fed only by internal topics takes the largest of theirs', async () => {
    const b = new StreamsBuilder();
    const left = table(b, 'left', true);
    const right = table(b, 'right', true);
    // The join's result is re-grouped: its repartition topic is written by the left table's tasks (3).
    joinForeignKey(left, right, (v) => v.fk, (l, r) => ({ id: r?.id ?? '-', fk: l.id }), { name: 'fk' })
      .toStream()
      .groupBy((_k, v) => v.id, { name: 'regroup', keySerde: S, valueSerde: J })
      .count({ storeName: 'counts' })
      .toStream()
      .to('out', { keySerde: S, valueSerde: Serdes.Long() });
    const admin = fakeAdmin({ left: 3, right: 2, out: 1 });
    const topology = b.build();
    await setup(withInternalTopicPartitions(topology, await foreignKeyTopicPartitions(topology, admin, 'app', silentLogger)), admin);
    expect(created(admin)).toMatchObject({ 'app-regroup-repartition': 3, 'app-counts-changelog': 3 });
  });

  it('leaves the foreign-key topics unsized while an input topic is missing (setupTopics reports it)', async () => {
    const admin = fakeAdmin({ left: 3, out: 1 });
    const topology = fkTopology(true, true);
    expect((await foreignKeyTopicPartitions(topology, admin, 'app', silentLogger)).size).toBe(0);
    await expect(setup(topology, admin)).rejects.toThrow(/Source topic "right" does not exist/);
  });
});
