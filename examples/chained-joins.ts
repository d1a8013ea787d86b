/**
 * Chained joins over four inputs: enrich orders with their customer and product (two KStream-KTable
 * joins, each after re-keying, so each inserts a repartition topic), then pair each enriched order
 * with its shipment (a KStream-KStream join within 1 hour; orders never shipped come out with a
 * null shipment once the hour and the grace period have passed).
 *
 *   orders    (key: order id)    --selectKey(customerId)--> join customers (table)
 *                                --selectKey(productId)---> join products (table)
 *                                --selectKey(orderId)-----> leftJoin shipments (stream, 1 h + 10 min grace)
 *                                --> shipped-orders
 *
 * Run it with `npx tsx src/cli/main.ts run examples/chained-joins.ts`.
 */
import { JoinWindows, Serdes, StreamsBuilder, type Topology } from '../src/index.js';

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly productId: string;
  readonly quantity: number;
}
export interface Customer {
  readonly name: string;
  readonly country: string;
}
export interface Product {
  readonly title: string;
  readonly priceCents: number;
}
export interface Shipment {
  readonly carrier: string;
}
export interface ShippedOrder {
  readonly orderId: string;
  readonly customer: string;
  readonly country: string;
  readonly product: string;
  readonly totalCents: number;
  /** null: not shipped within the hour. */
  readonly carrier: string | null;
}

export const TOPICS = { orders: 'orders', customers: 'customers', products: 'products', shipments: 'shipments', output: 'shipped-orders' } as const;

export const config = {
  'application.id': 'chained-joins',
  'commit.interval.ms': 1000,
};

const HOUR = 3_600_000;

export function buildTopology(): Topology {
  const b = new StreamsBuilder();
  const S = Serdes.String();
  const orders = b.stream(TOPICS.orders, { keySerde: S, valueSerde: Serdes.Json<Order>() });
  const customers = b.table(TOPICS.customers, { keySerde: S, valueSerde: Serdes.Json<Customer>() });
  const products = b.table(TOPICS.products, { keySerde: S, valueSerde: Serdes.Json<Product>() });
  const shipments = b.stream(TOPICS.shipments, { keySerde: S, valueSerde: Serdes.Json<Shipment>() });

  const withCustomer = orders
    .selectKey((_id, o) => o.customerId)
    .join(customers, (o, c) => ({ order: o, customer: c }), { name: 'order-customer', valueSerde: Serdes.Json() });
  const withProduct = withCustomer
    .selectKey((_customerId, oc) => oc.order.productId)
    .join(products, (oc, p) => ({ ...oc, product: p }), { name: 'order-product', valueSerde: Serdes.Json() });
  withProduct
    .selectKey((_productId, ocp) => ocp.order.orderId)
    .leftJoin(
      shipments,
      (ocp, s): ShippedOrder => ({
        orderId: ocp.order.orderId,
        customer: ocp.customer.name,
        country: ocp.customer.country,
        product: ocp.product.title,
        totalCents: ocp.order.quantity * ocp.product.priceCents,
        carrier: s === null ? null : s.carrier,
      }),
      JoinWindows.ofTimeDifferenceAndGrace(HOUR, 10 * 60_000),
      { name: 'order-shipment', valueSerde: Serdes.Json(), otherValueSerde: Serdes.Json<Shipment>() },
    )
    .to(TOPICS.output, { keySerde: S, valueSerde: Serdes.Json<ShippedOrder>() });
  return b.build();
}
