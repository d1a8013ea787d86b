import { afterEach, describe, expect, it } from 'vitest';
import { joinGlobal } from '../../src/dsl/joins-global.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const J = Serdes.Json<{ customer: string | null; item: string }>();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function topology(left: boolean) {
  const b = new StreamsBuilder();
  const customers = b.globalTable<string, string>('customers', { keySerde: S, valueSerde: S }, { storeName: 'customers-store' });
  const orders = b.stream<string, { customer: string | null; item: string }>('orders', { keySerde: S, valueSerde: J });
  joinGlobal(orders, customers, (_id, order) => order.customer, (order, name, id) => `${id}:${order.item}@${name}`, { left }).to('out', { keySerde: S, valueSerde: S });
  return b.build();
}

describe('GlobalKTable topology', () => {
  it('puts the global table in its own sub-topology that creates no tasks, numbered with the others as in Kafka Streams', () => {
    // A named store takes no generated index, so the source is 0000000000 (as in Kafka Streams).
    const t = topology(false);
    expect(t.describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [customers])',
        '      --> KTABLE-SOURCE-0000000001',
        '    Processor: KTABLE-SOURCE-0000000001 (stores: [customers-store])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000000',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [orders])',
        '      --> KSTREAM-JOIN-0000000003',
        '    Processor: KSTREAM-JOIN-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-SOURCE-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: out)',
        '      <-- KSTREAM-JOIN-0000000003',
        '',
        '',
      ].join('\n'),
    );
    // Tasks are created only for task-creating sub-topologies: the stream side is task 1_<partition>.
    expect(t.subtopologies.map((s) => [s.id, s.sourceTopics])).toEqual([[1, ['orders']]]);
  });

  it('refuses a GlobalKTable of another builder', () => {
    const other = new StreamsBuilder().globalTable('g');
    const b = new StreamsBuilder();
    expect(() => joinGlobal(b.stream('s'), other, (k) => k, (v) => v)).toThrow(/same StreamsBuilder/);
  });
});

describe('KStream-GlobalKTable join (TopologyTestDriver)', () => {
  it('join: looks up the mapped key; misses and null mapped keys drop (null keys counted); global updates never emit', () => {
    driver = new TopologyTestDriver(topology(false));
    const customers = driver.createInputTopic('customers', S, S as Serde<string | null>);
    const orders = driver.createInputTopic('orders', S, J);
    const out = driver.createOutputTopic('out', S, S);
    customers.pipeInput('c1', 'Ann', 1);
    customers.pipeInput('c2', 'Bob', 2);
    expect(out.isEmpty()).toBe(true);
    orders.pipeInput('o1', { customer: 'c1', item: 'tea' }, 3);
    orders.pipeInput('o2', { customer: 'c3', item: 'jam' }, 4); // no such customer
    orders.pipeInput('o3', { customer: null, item: 'pen' }, 5); // null mapped key
    orders.pipeInput('o4', null as unknown as { customer: string; item: string }, 6); // null value
    customers.pipeInput('c1', 'Ann B.', 7); // an update: visible to later orders only, emits nothing
    orders.pipeInput('o5', { customer: 'c1', item: 'cup' }, 8);
    customers.pipeInput('c2', null, 9); // a tombstone deletes
    orders.pipeInput('o6', { customer: 'c2', item: 'mug' }, 10);
    expect(out.readKeyValuesToList()).toEqual([
      ['o1', 'o1:tea@Ann'],
      ['o5', 'o5:cup@Ann B.'],
    ]);
    expect(driver.metrics().total('dropped-records-total', { node: 'KSTREAM-JOIN-0000000003', reason: 'null-key-or-value' })).toBe(2);
    const store = driver.getKeyValueStore<string, string>('customers-store');
    expect([store.get('c1'), store.get('c2')]).toEqual(['Ann B.', undefined]);
  });

  it('leftJoin: misses and null mapped keys join with null; null values still drop', () => {
    driver = new TopologyTestDriver(topology(true));
    const customers = driver.createInputTopic('customers', S, S);
    const orders = driver.createInputTopic('orders', S, J);
    const out = driver.createOutputTopic('out', S, S);
    customers.pipeInput('c1', 'Ann', 1);
    orders.pipeInput('o1', { customer: 'c1', item: 'tea' }, 2);
    orders.pipeInput('o2', { customer: 'c9', item: 'jam' }, 3);
    orders.pipeInput('o3', { customer: null, item: 'pen' }, 4);
    orders.pipeInput('o4', null as unknown as { customer: string; item: string }, 5);
    expect(out.readKeyValuesToList()).toEqual([
      ['o1', 'o1:tea@Ann'],
      ['o2', 'o2:jam@null'],
      ['o3', 'o3:pen@null'],
    ]);
    expect(driver.metrics().total('dropped-records-total', { node: 'KSTREAM-LEFTJOIN-0000000003', reason: 'null-key-or-value' })).toBe(1);
  });

  it('a failing key mapper is a PROCESSING error naming the join, topic, partition and offset', () => {
    const b = new StreamsBuilder();
    const g = b.globalTable('g', { keySerde: S, valueSerde: S });
    joinGlobal(b.stream('s', { keySerde: S, valueSerde: S }), g, () => {
      throw new Error('boom');
    }, (v) => v).to('out', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build());
    const err = (() => {
      try {
        driver.createInputTopic('s', S, S).pipeInput('k', 'v', 1);
      } catch (e) {
        return e as Error & { code?: string };
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('PROCESSING');
    expect(err.message).toMatch(/KSTREAM-JOIN-\d+.*topic "s", partition 0, offset 0: boom/);
  });

  it('records the topology itself writes to a global topic update the global store', () => {
    const b = new StreamsBuilder();
    b.stream('customer-changes', { keySerde: S, valueSerde: S }).mapValues((v) => v.toUpperCase()).to('customers', { keySerde: S, valueSerde: S });
    const g = b.globalTable<string, string>('customers', { keySerde: S, valueSerde: S }, { storeName: 'g' });
    joinGlobal(b.stream<string, string>('orders', { keySerde: S, valueSerde: S }), g, (_k, v) => v, (v, name) => `${v}=${name}`).to('out', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('customer-changes', S, S).pipeInput('c1', 'ann', 1);
    driver.createInputTopic('orders', S, S).pipeInput('o1', 'c1', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([['o1', 'c1=ANN']]);
  });
});
