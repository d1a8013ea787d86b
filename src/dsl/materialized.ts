import type { GraphBuilder } from '../graph/graph-builder.js';
import type { Serde } from '../graph/serde-types.js';
import type { StoreSpec, StoreType } from '../graph/store-spec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

/** How a KTable or aggregation is stored (Kafka Streams' Materialized). */
export interface Materialized<K, V> {
  /** Store name, also the name for interactive queries; generated when absent. */
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** 'leveldb' (default) or 'in-memory'. */
  readonly storeType?: 'leveldb' | 'in-memory';
  /** Back the store with a changelog topic (default true). */
  readonly logging?: boolean;
  readonly loggingConfig?: Readonly<Record<string, string>>;
  /** Merge updates in the record cache between commits (default true). */
  readonly caching?: boolean;
  /** Window and session stores: how long windows are kept (at least size + grace). */
  readonly retentionMs?: number;
}

/** Options of groupBy()/groupByKey() (Kafka Streams' Grouped). */
export interface Grouped<K, V> {
  readonly name?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
}

/** Adds the store a stateful operator materializes into, and returns its spec. */
export function addStore(
  graph: GraphBuilder,
  type: StoreType,
  materialized: Materialized<unknown, unknown> | undefined,
  defaults: { prefix: string; keySerde?: Serde<unknown>; valueSerde?: Serde<unknown>; retentionMs?: number; windowSizeMs?: number; windowLayout?: 'by-window' | 'by-key' },
): StoreSpec {
  const name = materialized?.storeName ?? graph.newName(`${defaults.prefix}STATE-STORE-`);
  if (materialized?.storeName !== undefined && !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new StreamwrightError('STATE_STORE', `Store name ${JSON.stringify(name)} may only use letters, digits, '.', '_' and '-' (it names the changelog topic).`, { store: name });
  }
  const retentionMs = materialized?.retentionMs ?? defaults.retentionMs;
  if (defaults.retentionMs !== undefined && retentionMs !== undefined && retentionMs < defaults.retentionMs) {
    throw new StreamwrightError(
      'STATE_STORE',
      `Store "${name}" keeps windows for ${retentionMs} ms, less than the window size plus grace (${defaults.retentionMs} ms). Raise Materialized.retentionMs to at least ${defaults.retentionMs}, or shorten the window or grace.`,
      { store: name, retentionMs, required: defaults.retentionMs },
    );
  }
  return graph.addStore({
    name,
    type,
    keySerde: (materialized?.keySerde as Serde<unknown> | undefined) ?? defaults.keySerde,
    valueSerde: (materialized?.valueSerde as Serde<unknown> | undefined) ?? defaults.valueSerde,
    persistent: (materialized?.storeType ?? 'leveldb') === 'leveldb',
    logging: materialized?.logging ?? true,
    loggingConfig: materialized?.loggingConfig ?? {},
    caching: materialized?.caching ?? true,
    retentionMs,
    windowSizeMs: defaults.windowSizeMs,
    ...(defaults.windowLayout === undefined ? {} : { windowLayout: defaults.windowLayout }),
  });
}
