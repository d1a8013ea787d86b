import { describe, expect, it } from 'vitest';
import { joinForeignKey } from '../../src/dsl/joins-foreign-key.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { caught } from '../errors/caught-error.js';

const S = Serdes.String();

describe('foreign-key join topology', () => {
  it('splits into a left and a right sub-topology joined by the registration and response topics, with Kafka Streams names', () => {
    const b = new StreamsBuilder();
    const orders = b.table('orders', { keySerde: S, valueSerde: S });
    const customers = b.table('customers', { keySerde: S, valueSerde: S });
    joinForeignKey(orders, customers, (v) => v.split(':')[0], (o, c) => `${o}/${c}`, { name: 'oc' });
    const t = b.build();
    expect(t.internalTopics.map((x) => [x.name, x.role])).toEqual([
      ['oc-subscription-registration-topic', 'repartition'],
      ['oc-subscription-response-topic', 'repartition'],
    ]);
    const store = t.store('oc-subscription-store')!;
    expect([store.persistent, store.logging, store.caching]).toEqual([false, true, false]);
    const subs = t.subtopologies.map((s) => ({ sources: [...s.sourceTopics, ...s.internalSourceTopics], sinks: s.sinkTopics, stores: [...s.stores].sort() }));
    expect(subs).toEqual([
      { sources: ['orders', 'oc-subscription-response-topic'], sinks: ['oc-subscription-registration-topic'], stores: ['orders-STATE-STORE-0000000001'] },
      { sources: ['customers', 'oc-subscription-registration-topic'], sinks: ['oc-subscription-response-topic'], stores: ['customers-STATE-STORE-0000000004', 'oc-subscription-store'] },
    ]);
    const text = t.describe().toString();
    expect(text).toContain('Processor: oc-subscription-receive (stores: [oc-subscription-store, customers-STATE-STORE-0000000004])');
    expect(text).toContain('Sink: oc-subscription-registration-sink (topic: oc-subscription-registration-topic)');
    expect(text).toContain('Processor: oc-result (stores: [orders-STATE-STORE-0000000001])');
  });

  it('refuses tables of two builders, missing functions and a reused name with typed errors', () => {
    const b = new StreamsBuilder();
    const left = b.table('l', { keySerde: S, valueSerde: S });
    const right = b.table('r', { keySerde: S, valueSerde: S });
    const foreign = new StreamsBuilder().table('x');
    expect(caught(() => joinForeignKey(left, foreign, (v) => v, (v) => v)).code).toBe('TOPOLOGY_INVALID');
    expect(caught(() => joinForeignKey(left, right, undefined as unknown as (v: string) => string, (v) => v)).message).toMatch(/foreign key extractor and a joiner/);
    joinForeignKey(left, right, (v) => v, (v) => v, { name: 'j' });
    expect(caught(() => joinForeignKey(left, right, (v) => v, (v) => v, { name: 'j' })).code).toMatch(/TOPOLOGY_DUPLICATE_NAME|STATE_STORE/);
  });

  it('without serdes or defaults, the join refuses to start and names where a serde is missing (SERDE_MISSING)', () => {
    const b = new StreamsBuilder();
    const left = b.table('l', { keySerde: S, valueSerde: S });
    const right = b.table<string, string>('r', { valueSerde: S });
    joinForeignKey(left, right, (v) => v, (v) => v).toStream().to('out', { keySerde: S, valueSerde: S });
    const err = caught(() => new TopologyTestDriver(b.build(), { 'default.key.serde': undefined }));
    expect(err.code).toBe('SERDE_MISSING');
    expect(err.message).toMatch(/KTABLE-FK-JOIN-\d+-subscription-registration-sink.* has no key serde/);
  });
});
