import type { GraphBuilder } from '../graph/graph-builder.js';
import type { KeyValueMapper, Predicate, ValueMapper } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { changeSerde } from '../serde/windowed-serdes.js';
import type { Named } from './dsl-options.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { addStore, type Grouped, type Materialized } from './materialized.js';
import { SuppressBufferSerdeSet } from './suppress-buffer-serdes.js';
import type { Suppressed } from './suppressed.js';
import type { ForeignKeyExtractor } from '../graph/nodes/foreign-key-subscription-send-node.js';
import { joinForeignKey, type ForeignKeyJoinOptions } from './joins-foreign-key.js';
import type { ValueJoiner } from '../graph/join-windows.js';
import type { TableJoined } from './joins/join-options.js';
import { tableTableJoin } from './joins/table-table-join.js';

export interface TableState {
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  /** The store holding this table's current values, when it is materialized. */
  readonly storeName?: string;
  /** For windowed tables: the grace of the windows (suppress(untilWindowCloses) needs it). */
  readonly windowGraceMs?: number;
}

export interface TableOptions<K, V> extends Named {
  readonly materialized?: Materialized<K, V>;
}

/**
 * A changelog stream seen as a table (Kafka Streams' KTable): each record is an update of its
 * key, a null value deletes it. Between KTable operators updates travel as Change{newValue, oldValue}.
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    readonly builder: GraphBuilder,
    readonly nodeName: string,
    readonly state: TableState,
  ) {}

  /** The store to query through app.store(name), if this table is materialized. */
  get queryableStoreName(): string | undefined {
    return this.state.storeName;
  }

  filter(predicate: Predicate<K, V>, options: TableOptions<K, V> = {}): KTable<K, V> {
    return this.filterAs(predicate, false, options);
  }

  filterNot(predicate: Predicate<K, V>, options: TableOptions<K, V> = {}): KTable<K, V> {
    return this.filterAs(predicate, true, options);
  }

  mapValues<VR>(mapper: ValueMapper<V, K, VR>, options: TableOptions<K, VR> = {}): KTable<K, VR> {
    const store = options.materialized ? addStore(this.builder, 'keyValue', options.materialized as Materialized<unknown, unknown>, { prefix: 'KTABLE-MAPVALUES-', keySerde: this.state.keySerde }) : undefined;
    const name = this.builder.nameOrGenerate(options.name, 'KTABLE-MAPVALUES-');
    this.builder.addNode({ kind: 'tableMapValues', name, parents: [this.nodeName], stores: store ? [store.name] : [], mapper: mapper as ValueMapper<unknown, unknown, unknown>, store: store?.name });
    return new KTable<K, VR>(this.builder, name, { keySerde: this.state.keySerde, valueSerde: store?.valueSerde, storeName: store?.name, windowGraceMs: this.state.windowGraceMs });
  }

  /** The table's updates as a stream: the new value of each update (null for deletes). */
  toStream(named?: Named): KStream<K, V> {
    const name = this.builder.nameOrGenerate(named?.name, 'KTABLE-TOSTREAM-');
    this.builder.addNode({ kind: 'toStream', name, parents: [this.nodeName], stores: [] });
    return new KStream<K, V>(this.builder, name, { keySerde: this.state.keySerde, valueSerde: this.state.valueSerde, repartitionRequired: false });
  }

  /** Re-groups the table by a new key for re-aggregation (with adder and subtractor). */
  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KR, VR>, grouped: Grouped<KR, VR> = {}): KGroupedTable<KR, VR> {
    const name = this.builder.nameOrGenerate(grouped.name === undefined ? undefined : `${grouped.name}-select`, 'KTABLE-SELECT-');
    this.builder.addNode({ kind: 'tableGroupBy', name, parents: [this.nodeName], stores: [], selector: selector as KeyValueMapper<unknown, unknown, unknown, unknown> });
    return new KGroupedTable<KR, VR>(this.builder, name, grouped);
  }

  /** Holds updates back: one final result per window, or at most one update per key per time limit. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    if (suppressed.mode.type === 'untilWindowCloses' && this.state.windowGraceMs === undefined) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'suppress(untilWindowCloses) needs a windowed table (the result of windowedBy(...).aggregate/count/reduce). Use untilTimeLimit for other tables.');
    }
    const name = this.builder.nameOrGenerate(suppressed.name, 'KTABLE-SUPPRESS-');
    // The buffer is durable: every change to it goes to `<application.id>-<name>-store-changelog`,
    // and a restarted task rebuilds it from the restored store (Kafka Streams' suppression buffer changelog).
    const storeName = `${name}-store`;
    // A spilling buffer keeps the values of entries beyond its limits only in this store, so it lives
    // in LevelDB; without the record cache, every buffered entry is written through at once.
    const spills = suppressed.buffer.onFull === 'spillToDisk';
    const bufferSerdes = new SuppressBufferSerdeSet(storeName, this.state.keySerde, this.state.valueSerde);
    this.builder.addStore({ name: storeName, type: 'keyValue', keySerde: bufferSerdes.keySerde, valueSerde: bufferSerdes.valueSerde, persistent: spills, logging: true, loggingConfig: {}, caching: false });
    this.builder.addNode({
      kind: 'suppress',
      name,
      parents: [this.nodeName],
      stores: [storeName],
      mode: suppressed.mode,
      graceMs: this.state.windowGraceMs ?? 0,
      maxRecords: suppressed.buffer.maxRecords,
      maxBytes: suppressed.buffer.maxBytes,
      onFull: suppressed.buffer.onFull,
      store: storeName,
      bufferSerdes,
    });
    return new KTable<K, V>(this.builder, name, { ...this.state, storeName: undefined });
  }

  /**
   * Joins two tables on the key (a result while both have a value; updates and deletes on either
   * side update or delete the result), or, with a foreign key extractor, each row of this table
   * with the row of `other` whose key the extractor returns (a foreign-key join through
   * subscription and response topics, correct across partitions and foreign key changes).
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, K, VR>, options?: TableJoined<K, VR>): KTable<K, VR>;
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: ForeignKeyExtractor<V, KO | null>, joiner: ValueJoiner<V, VO, K, VR>, options?: Omit<ForeignKeyJoinOptions<K, VR>, 'left'>): KTable<K, VR>;
  join(other: KTable<any, any>, second: unknown, third?: unknown, fourth?: unknown): KTable<K, any> {
    if (typeof third === 'function') return joinForeignKey(this, other, second as ForeignKeyExtractor<V, unknown>, third as ValueJoiner<V, unknown, K, unknown>, { ...(fourth as object | undefined), left: false });
    return tableTableJoin(this, other as KTable<K, unknown>, second as ValueJoiner<V | null, unknown, K, unknown>, (third as TableJoined<K, unknown> | undefined) ?? {}, 'inner');
  }

  /** Like join(), and a row without a partner (no key match, or no foreign key / no foreign row) joins with null. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, K, VR>, options?: TableJoined<K, VR>): KTable<K, VR>;
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: ForeignKeyExtractor<V, KO | null>, joiner: ValueJoiner<V, VO | null, K, VR>, options?: Omit<ForeignKeyJoinOptions<K, VR>, 'left'>): KTable<K, VR>;
  leftJoin(other: KTable<any, any>, second: unknown, third?: unknown, fourth?: unknown): KTable<K, any> {
    if (typeof third === 'function') return joinForeignKey(this, other, second as ForeignKeyExtractor<V, unknown>, third as ValueJoiner<V, unknown, K, unknown>, { ...(fourth as object | undefined), left: true });
    return tableTableJoin(this, other as KTable<K, unknown>, second as ValueJoiner<V | null, unknown, K, unknown>, (third as TableJoined<K, unknown> | undefined) ?? {}, 'left');
  }

  /** A result for every key either table has, with null for the missing side. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, K, VR>, options: TableJoined<K, VR> = {}): KTable<K, VR> {
    return tableTableJoin(this, other, joiner, options, 'outer');
  }

  private filterAs(predicate: Predicate<K, V>, negate: boolean, options: TableOptions<K, V>): KTable<K, V> {
    const store = options.materialized
      ? addStore(this.builder, 'keyValue', options.materialized as Materialized<unknown, unknown>, { prefix: 'KTABLE-FILTER-', keySerde: this.state.keySerde, valueSerde: this.state.valueSerde })
      : undefined;
    const name = this.builder.nameOrGenerate(options.name, 'KTABLE-FILTER-');
    this.builder.addNode({ kind: 'tableFilter', name, parents: [this.nodeName], stores: store ? [store.name] : [], predicate: predicate as Predicate<unknown, unknown>, negate, store: store?.name });
    return new KTable<K, V>(this.builder, name, { ...this.state, storeName: store?.name });
  }
}

/** @internal Serde for table updates written through a repartition topic. */
export function changeSerdeOf(inner: Serde<unknown> | undefined): Serde<unknown> | undefined {
  return inner ? (changeSerde(inner) as Serde<unknown>) : undefined;
}
