import { afterEach, describe, expect, it } from 'vitest';
import { buildTopology, config, TOPICS, type Customer, type Order, type Product, type Shipment, type ShippedOrder } from '../../examples/chained-joins.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const HOUR = 3_600_000;
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

describe('examples/chained-joins.ts', () => {
  it('repartitions before each join after selectKey, named <join name>-left-repartition, and describe() shows them', () => {
    const topology = buildTopology();
    const text = topology.describe().toString();
    for (const t of ['order-customer-left-repartition', 'order-product-left-repartition', 'order-shipment-left-repartition']) {
      expect(topology.internalTopics.map((x) => x.name)).toContain(t);
      expect(text).toContain(t);
    }
    expect(text).toContain('order-shipment-this-join');
    expect(text).toContain('order-shipment-outer-other-join');
    expect(topology.subtopologies.length).toBe(4);
  });

  it('enriches orders with customer and product, then pairs them with shipments (unshipped ones after the window closes)', () => {
    driver = new TopologyTestDriver(buildTopology(), config);
    const customers = driver.createInputTopic(TOPICS.customers, S, Serdes.Json<Customer>());
    const products = driver.createInputTopic(TOPICS.products, S, Serdes.Json<Product>());
    const orders = driver.createInputTopic(TOPICS.orders, S, Serdes.Json<Order>());
    const shipments = driver.createInputTopic(TOPICS.shipments, S, Serdes.Json<Shipment>());
    const out = driver.createOutputTopic(TOPICS.output, S, Serdes.Json<ShippedOrder>());

    customers.pipeInput('c1', { name: 'Ada', country: 'UK' }, 0);
    customers.pipeInput('c2', { name: 'Linus', country: 'FI' }, 0);
    products.pipeInput('p1', { title: 'Kettle', priceCents: 2500 }, 0);
    products.pipeInput('p2', { title: 'Teapot', priceCents: 1800 }, 0);
    orders.pipeInput('o1', { orderId: 'o1', customerId: 'c1', productId: 'p1', quantity: 2 }, 1000);
    orders.pipeInput('o2', { orderId: 'o2', customerId: 'c2', productId: 'p2', quantity: 1 }, 2000);
    orders.pipeInput('o3', { orderId: 'o3', customerId: 'c9', productId: 'p1', quantity: 1 }, 2500); // unknown customer: inner join drops it
    shipments.pipeInput('o1', { carrier: 'DHL' }, 1000 + HOUR / 2);
    expect(out.readKeyValuesToList()).toEqual([['o1', { orderId: 'o1', customer: 'Ada', country: 'UK', product: 'Kettle', totalCents: 5000, carrier: 'DHL' }]]);
    // o2 is never shipped: it comes out with a null carrier once stream time passes 2000 + 1 h + 10 min.
    shipments.pipeInput('o9', { carrier: 'UPS' }, 2000 + HOUR + 10 * 60_000 + 1);
    expect(out.readKeyValuesToList()).toEqual([['o2', { orderId: 'o2', customer: 'Linus', country: 'FI', product: 'Teapot', totalCents: 1800, carrier: null }]]);
  });
});
