import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

const S = Serdes.String();

describe('KStream/KTable join methods for global tables and foreign keys', () => {
  it('stream.join / leftJoin(globalTable, keyMapper, joiner) look up the mapped key', () => {
    const b = new StreamsBuilder();
    const customers = b.globalTable('customers', { keySerde: S, valueSerde: S });
    const orders = b.stream('orders', { keySerde: S, valueSerde: Serdes.Json<{ customer: string; item: string }>() });
    orders.join(customers, (_k, o) => o.customer, (o, name) => `${o.item} for ${name}`).to('joined', { keySerde: S, valueSerde: S });
    orders.leftJoin(customers, (_k, o) => o.customer, (o, name) => `${o.item} for ${name ?? '?'}`).to('left-joined', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('customers', S, S).pipeInput('c1', 'Ada');
    const o = d.createInputTopic('orders', S, Serdes.Json<{ customer: string; item: string }>());
    o.pipeInput('o1', { customer: 'c1', item: 'book' });
    o.pipeInput('o2', { customer: 'c9', item: 'pen' });
    // Worked example: inner drops the order without a customer, left keeps it with null.
    expect(d.createOutputTopic('joined', S, S).readKeyValuesToList()).toEqual([['o1', 'book for Ada']]);
    expect(d.createOutputTopic('left-joined', S, S).readKeyValuesToList()).toEqual([
      ['o1', 'book for Ada'],
      ['o2', 'pen for ?'],
    ]);
    d.close();
  });

  it('table.join(other, foreignKeyExtractor, joiner) follows foreign key changes', () => {
    const b = new StreamsBuilder();
    const orders = b.table('orders', { keySerde: S, valueSerde: Serdes.Json<{ customer: string }>() });
    const customers = b.table('customers', { keySerde: S, valueSerde: S });
    orders
      .join(customers, (o) => o.customer, (o, name) => `${o.customer}:${name}`)
      .toStream()
      .to('fk', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const c = d.createInputTopic('customers', S, S);
    const o = d.createInputTopic('orders', S, Serdes.Json<{ customer: string }>());
    const out = d.createOutputTopic('fk', S, S);
    c.pipeInput('c1', 'Ada');
    c.pipeInput('c2', 'Grace');
    o.pipeInput('o1', { customer: 'c1' });
    expect(out.readKeyValuesToMap()).toEqual(new Map([['o1', 'c1:Ada']]));
    o.pipeInput('o1', { customer: 'c2' }); // the foreign key changes: the result follows it
    expect(out.readKeyValuesToMap()).toEqual(new Map([['o1', 'c2:Grace']]));
    c.pipeInput('c2', 'Grace H.'); // a right-side update reaches the subscribed left row
    expect(out.readKeyValuesToMap()).toEqual(new Map([['o1', 'c2:Grace H.']]));
    d.close();
  });
});
