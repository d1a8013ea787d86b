import type { Aggregator, Initializer } from '../graph/processor-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { addCogroupNodes, COGROUP_AGGREGATE, type CogroupInput } from './cogroup-nodes.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';
import { SessionWindowedCogroupedKStream, TimeWindowedCogroupedKStream } from './windowed-cogrouped-kstream.js';
import { SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

export { SessionWindowedCogroupedKStream, TimeWindowedCogroupedKStream };

/**
 * Several grouped streams aggregated into one table (Kafka Streams' CogroupedKStream): each input
 * has its own aggregator, all update the same aggregate per key in one store. The inputs must be
 * co-partitioned (they are read by one task per partition).
 */
export class CogroupedKStream<K, VA> {
  private readonly inputs: CogroupInput<K>[] = [];

  /** @internal */
  constructor(first: KGroupedStream<K, unknown>, aggregator: Aggregator<K, unknown, VA>) {
    this.inputs.push({ grouped: first, aggregator: aggregator as Aggregator<K, unknown, unknown> });
  }

  /** Adds another grouped stream with its own aggregator. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): this {
    if (grouped.stream.builder !== this.inputs[0].grouped.stream.builder) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'cogroup() needs grouped streams from the same StreamsBuilder.');
    }
    if (this.inputs.some((i) => i.grouped === (grouped as KGroupedStream<K, unknown>))) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'This grouped stream is already part of the cogroup; add each grouped stream once.');
    }
    this.inputs.push({ grouped: grouped as KGroupedStream<K, unknown>, aggregator: aggregator as Aggregator<K, unknown, unknown> });
    return this;
  }

  aggregate(initializer: Initializer<VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    const graph = this.inputs[0].grouped.stream.builder;
    const store = addStore(graph, 'keyValue', materialized as Materialized<unknown, unknown>, { prefix: COGROUP_AGGREGATE, keySerde: this.inputs[0].grouped.keySerde });
    const merge = addCogroupNodes(this.inputs, store, (common) => ({
      kind: 'aggregate',
      ...common,
      initializer,
    }));
    return new KTable<K, VA>(graph, merge, { keySerde: store.keySerde, valueSerde: store.valueSerde, storeName: store.name });
  }

  /** Tumbling, hopping or sliding windows over the cogrouped aggregate (Kafka Streams' TimeWindowedCogroupedKStream). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VA>;
  /** Session windows over the cogrouped aggregate; sessions that grow together merge with a Merger. */
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VA>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedCogroupedKStream<K, VA> | SessionWindowedCogroupedKStream<K, VA> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedKStream<K, VA>(this.inputs, windows.spec);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedCogroupedKStream<K, VA>(this.inputs, windows.spec);
    throw new StreamwrightError(
      'TOPOLOGY_INVALID',
      `cogroup(...).windowedBy() takes TimeWindows, SlidingWindows or SessionWindows, got ${describeValue(windows)}. Build the windows with e.g. TimeWindows.ofSizeWithNoGrace(60_000).`,
    );
  }
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `an object of ${(v as object).constructor?.name ?? 'no class'}`;
  return `${typeof v} ${String(v)}`;
}
