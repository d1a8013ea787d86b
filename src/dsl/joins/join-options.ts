import type { Serde } from '../../graph/serde-types.js';
import type { Materialized } from '../materialized.js';

/**
 * Options of a KStream-KStream join (Kafka Streams' StreamJoined): the serdes of the two join
 * buffers (key, this stream's values, the other stream's values), the processor name and the
 * store names. Serdes left out come from the joined streams, then from default.key/value.serde.
 */
export interface StreamJoined<K, V, VO> {
  /** Names the join processors (`<name>-this-join`, `<name>-other-join`, `<name>-merge`) and the
   * repartition topics (`<name>-left-repartition`, `<name>-right-repartition`). */
  readonly name?: string;
  /** Names the buffers `<storeName>-this-join-store`, `<storeName>-other-join-store` (and
   * `<storeName>-outer-shared-join-store` for left/outer joins). */
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly otherValueSerde?: Serde<VO>;
  /** 'leveldb' (default) or 'in-memory'; either way the buffers are changelogged unless logging is false. */
  readonly storeType?: 'leveldb' | 'in-memory';
  readonly logging?: boolean;
  readonly loggingConfig?: Readonly<Record<string, string>>;
}

/** Options of a KStream-KTable join (Kafka Streams' Joined). */
export interface Joined<K, V, VT> {
  /** Names the join processor and the repartition topic `<name>-left-repartition`. */
  readonly name?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly otherValueSerde?: Serde<VT>;
}

/** Options of a KTable-KTable join: its processor names and an optional store for the result. */
export interface TableJoined<K, VR> {
  readonly name?: string;
  readonly materialized?: Materialized<K, VR>;
}
