import type { ValueMapper } from '../../graph/processor-types.js';
import type { KTable } from '../ktable.js';
import { addStore } from '../materialized.js';

const identity: ValueMapper<unknown, unknown, unknown> = (v) => v;

/**
 * The store holding a table's current values, for a join to read. A table that is not
 * materialized (e.g. filter() without Materialized) gets one: an identity step that keeps every
 * update in a new `KTABLE-MATERIALIZED-STATE-STORE-<n>` store.
 */
export function storeForJoin(table: KTable<unknown, unknown>): string {
  if (table.state.storeName !== undefined) return table.state.storeName;
  const b = table.builder;
  const store = addStore(b, 'keyValue', undefined, { prefix: 'KTABLE-MATERIALIZED-', keySerde: table.state.keySerde, valueSerde: table.state.valueSerde });
  const name = b.newName('KTABLE-MATERIALIZED-');
  b.addNode({ kind: 'tableMapValues', name, parents: [table.nodeName], stores: [store.name], mapper: identity, store: store.name });
  return store.name;
}
