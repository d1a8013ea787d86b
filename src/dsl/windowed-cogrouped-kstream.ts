import type { Initializer, Merger, Windowed } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { windowRetentionMs, type SessionWindowSpec, type SlidingWindowSpec, type TimeWindowSpec } from '../graph/window-spec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { WindowedSerdes } from '../serde/windowed-serdes.js';
import { addCogroupNodes, COGROUP_AGGREGATE, type CogroupInput } from './cogroup-nodes.js';
import { KTable } from './ktable.js';
import { addStore, type Materialized } from './materialized.js';
import { slidingValueSerde } from './windowed-kstream.js';

/**
 * A cogroup windowed by tumbling, hopping or sliding windows (Kafka Streams'
 * TimeWindowedCogroupedKStream, also returned for SlidingWindows). Every input's aggregator updates
 * the same windows in one window store; each input's processor tracks its own stream time for
 * lateness, as each Kafka Streams processor does.
 */
export class TimeWindowedCogroupedKStream<K, VA> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K>[],
    private readonly spec: TimeWindowSpec | SlidingWindowSpec,
  ) {}

  aggregate(initializer: Initializer<VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const graph = this.inputs[0].grouped.stream.builder;
    const spec = this.spec;
    const sliding = spec.type === 'sliding';
    const size = spec.type === 'time' ? spec.sizeMs : spec.timeDifferenceMs;
    const aggSerde = materialized?.valueSerde as Serde<unknown> | undefined;
    if (sliding && aggSerde === undefined) {
      throw new StreamwrightError(
        'SERDE_MISSING',
        `A cogroup windowed by SlidingWindows needs the serde of its aggregate at build time (its window store keeps the aggregate together with the window's latest record timestamp, and the cogrouped inputs' value serdes do not describe the aggregate). Pass Materialized { valueSerde } to aggregate(initializer, materialized)${materialized?.storeName === undefined ? '' : ` (store "${materialized.storeName}")`}.`,
        { store: materialized?.storeName, windows: 'sliding' },
      );
    }
    const storeMaterialized = sliding ? { ...materialized, valueSerde: slidingValueSerde(aggSerde!) } : materialized;
    const store = addStore(graph, 'window', storeMaterialized as Materialized<unknown, unknown>, {
      prefix: COGROUP_AGGREGATE,
      keySerde: this.inputs[0].grouped.keySerde,
      retentionMs: windowRetentionMs(spec),
      windowSizeMs: size,
      // Time windows' starts are multiples of the advance; sliding windows' follow record timestamps.
      windowLayout: sliding ? 'by-key' : 'by-window',
    });
    // One windowAggregate node per input on the shared store: the runtime picks the sliding or the
    // time-window operator by the spec, as for a single grouped stream.
    const merge = addCogroupNodes(this.inputs, store, (common) => ({
      kind: 'windowAggregate',
      ...common,
      windows: spec,
      initializer,
    }));
    // Sliding windows' Windowed keys have end = start + timeDifference, inclusive (Kafka Streams' TimeWindow for SlidingWindows).
    const keySerde = store.keySerde ? WindowedSerdes.timeWindowed(store.keySerde, size) : undefined;
    // A sliding window still takes records at its end (inclusive), so it closes one ms later than a time window with the same grace.
    const windowGraceMs = sliding ? spec.graceMs + 1 : spec.graceMs;
    return new KTable<Windowed<K>, VA>(graph, merge, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: sliding ? aggSerde : store.valueSerde,
      storeName: store.name,
      windowGraceMs,
    });
  }
}

/**
 * A cogroup windowed into sessions (Kafka Streams' SessionWindowedCogroupedKStream). Each input's
 * record joins the sessions of its key within the inactivity gap, whichever input created them;
 * sessions that a record bridges are combined with `merger`, then the record is aggregated with its
 * input's aggregator.
 */
export class SessionWindowedCogroupedKStream<K, VA> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K>[],
    private readonly spec: SessionWindowSpec,
  ) {}

  aggregate(initializer: Initializer<VA>, merger: Merger<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    if (typeof merger !== 'function') {
      throw new StreamwrightError(
        'TOPOLOGY_INVALID',
        'A session-windowed cogroup needs a merger: aggregate(initializer, merger, materialized?), where merger(key, aggOne, aggTwo) combines the aggregates of two sessions that a record joins.',
      );
    }
    const graph = this.inputs[0].grouped.stream.builder;
    const spec = this.spec;
    const store = addStore(graph, 'session', materialized as Materialized<unknown, unknown>, {
      prefix: COGROUP_AGGREGATE,
      keySerde: this.inputs[0].grouped.keySerde,
      retentionMs: windowRetentionMs(spec),
    });
    const merge = addCogroupNodes(this.inputs, store, (common) => ({
      kind: 'sessionAggregate',
      ...common,
      windows: spec,
      initializer,
      merger: merger as Merger<unknown, unknown>,
    }));
    const keySerde = store.keySerde ? WindowedSerdes.sessionWindowed(store.keySerde) : undefined;
    // As for a single grouped stream: a session's result is final once stream time passes its end + gap + grace.
    return new KTable<Windowed<K>, VA>(graph, merge, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: store.valueSerde,
      storeName: store.name,
      windowGraceMs: spec.gapMs + spec.graceMs,
    });
  }
}
