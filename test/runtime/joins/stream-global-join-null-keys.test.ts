import { afterEach, describe, expect, it } from 'vitest';
import { joinGlobal } from '../../../src/dsl/joins-global.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Serde } from '../../../src/graph/serde-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

/** An order names its customer (maybe none). */
interface Order {
  readonly customer: string | null;
  readonly item: string;
}

const S = Serdes.String();
const J = Serdes.Json<Order>();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function run(left: boolean, orders: readonly [string | null, Order | null][]) {
  const b = new StreamsBuilder();
  const customers = b.globalTable<string, string>('customers', { keySerde: S, valueSerde: S });
  const stream = b.stream<string, Order>('orders', { keySerde: S, valueSerde: J });
  joinGlobal(stream, customers, (_id, o) => o.customer, (o, name, id) => `${id ?? '∅'}:${o.item}@${name ?? '∅'}`, { left }).to('out', { keySerde: S, valueSerde: S });
  driver = new TopologyTestDriver(b.build());
  driver.createInputTopic('customers', S, S).pipeInput('c1', 'Ann', 0);
  const input = driver.createInputTopic('orders', S as Serde<string | null>, J as Serde<Order | null>);
  orders.forEach(([k, v], i) => input.pipeInput(k, v, i + 1));
  const out = driver.createOutputTopic('out', S, S).readKeyValuesToList();
  return { out, dropped: driver.metrics().total('dropped-records-total', { reason: 'null-key-or-value' }) };
}

// Kafka Streams 3.7+ (KIP-962, and KAFKA-19208 for a null mapped key with a non-null stream key).
describe('KStream-GlobalKTable join: null stream keys and null mapped keys', () => {
  const orders: [string | null, Order | null][] = [
    [null, { customer: 'c1', item: 'a' }], // null stream key, the mapped key finds a row
    [null, { customer: null, item: 'b' }], // null stream key, null mapped key
    ['o3', { customer: null, item: 'c' }], // null mapped key
    ['o4', { customer: 'c9', item: 'd' }], // no match
    ['o5', null], // null value: never joins
  ];

  it('leftJoin joins every record with a value, with null when the mapped key is null or finds nothing', () => {
    const { out, dropped } = run(true, orders);
    expect(out).toEqual([
      [null, '∅:a@Ann'],
      [null, '∅:b@∅'],
      ['o3', 'o3:c@∅'],
      ['o4', 'o4:d@∅'],
    ]);
    expect(dropped).toBe(1);
  });

  it('join looks up the mapped key whatever the stream key; a null mapped key is dropped and counted', () => {
    const { out, dropped } = run(false, orders);
    expect(out).toEqual([[null, '∅:a@Ann']]);
    expect(dropped).toBe(3);
  });
});
