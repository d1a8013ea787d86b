import { Subject, type Observable } from 'rxjs';
import type { GraphBuilder } from '../graph/graph-builder.js';
import type { GraphNode } from '../graph/graph-node.js';
import type {
  FlatKeyValueMapper,
  FlatValueMapper,
  ForeachAction,
  KeySelector,
  KeyValueMapper,
  Predicate,
  ProcessorSupplier,
  TopicNameExtractor,
  ValueMapper,
} from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import { validateTopicName } from '../graph/topic-name.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { BranchedKStream } from './branched-kstream.js';
import type { Named, ProcessOptions, Produced, Repartitioned } from './dsl-options.js';
import { KGroupedStream } from './kgrouped-stream.js';
import type { Grouped } from './materialized.js';
import type { JoinType, ValueJoiner } from '../graph/join-windows.js';
import { JoinWindows } from './join-windows.js';
import { GlobalKTable } from './global-ktable.js';
import { joinGlobal } from './joins-global.js';
import type { Joined, StreamJoined } from './joins/join-options.js';
import { streamStreamJoin } from './joins/stream-stream-join.js';
import { streamTableJoin } from './joins/stream-table-join.js';
import type { KTable } from './ktable.js';

/** What a KStream knows about the records it carries. */
export interface StreamState {
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  /** True after a key-changing operation: grouping or joining must repartition first. */
  readonly repartitionRequired: boolean;
}

export interface ObservedRecord<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * A record stream (Kafka Streams' KStream). Immutable handle on one graph node: every operator
 * appends a node to the builder's graph and returns a new handle. Nothing runs here.
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    readonly builder: GraphBuilder,
    /** Name of the graph node whose output this stream is. */
    readonly nodeName: string,
    readonly state: StreamState,
  ) {}

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.append({ kind: 'filter', predicate: predicate as Predicate<unknown, unknown>, negate: false }, 'KSTREAM-FILTER-', named, this.state);
  }

  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.append({ kind: 'filter', predicate: predicate as Predicate<unknown, unknown>, negate: true }, 'KSTREAM-FILTER-', named, this.state);
  }

  map<KR, VR>(mapper: KeyValueMapper<K, V, KR, VR>, named?: Named): KStream<KR, VR> {
    return this.append({ kind: 'map', mapper: mapper as KeyValueMapper<unknown, unknown, unknown, unknown> }, 'KSTREAM-MAP-', named, { repartitionRequired: true });
  }

  selectKey<KR>(selector: KeySelector<K, V, KR>, named?: Named): KStream<KR, V> {
    return this.append({ kind: 'selectKey', selector: selector as KeySelector<unknown, unknown, unknown> }, 'KSTREAM-KEY-SELECT-', named, {
      valueSerde: this.state.valueSerde,
      repartitionRequired: true,
    });
  }

  mapValues<VR>(mapper: ValueMapper<V, K, VR>, named?: Named): KStream<K, VR> {
    return this.append({ kind: 'mapValues', mapper: mapper as ValueMapper<unknown, unknown, unknown> }, 'KSTREAM-MAPVALUES-', named, {
      keySerde: this.state.keySerde,
      repartitionRequired: this.state.repartitionRequired,
    });
  }

  flatMap<KR, VR>(mapper: FlatKeyValueMapper<K, V, KR, VR>, named?: Named): KStream<KR, VR> {
    return this.append({ kind: 'flatMap', mapper: mapper as FlatKeyValueMapper<unknown, unknown, unknown, unknown> }, 'KSTREAM-FLATMAP-', named, { repartitionRequired: true });
  }

  flatMapValues<VR>(mapper: FlatValueMapper<V, K, VR>, named?: Named): KStream<K, VR> {
    return this.append({ kind: 'flatMapValues', mapper: mapper as FlatValueMapper<unknown, unknown, unknown> }, 'KSTREAM-FLATMAPVALUES-', named, {
      keySerde: this.state.keySerde,
      repartitionRequired: this.state.repartitionRequired,
    });
  }

  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    return this.append({ kind: 'peek', action: action as ForeachAction<unknown, unknown> }, 'KSTREAM-PEEK-', named, this.state);
  }

  foreach(action: ForeachAction<K, V>, named?: Named): void {
    this.append({ kind: 'foreach', action: action as ForeachAction<unknown, unknown> }, 'KSTREAM-FOREACH-', named, this.state);
  }

  /** Splits the stream into named branches (Kafka Streams' split()). */
  split(named?: Named): BranchedKStream<K, V> {
    const name = this.builder.nameOrGenerate(named?.name, 'KSTREAM-BRANCH-');
    return new BranchedKStream<K, V>(this, name, named?.name !== undefined ? named.name : `${name}-`);
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (other.builder !== this.builder) {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'merge() needs two streams from the same StreamsBuilder.');
    }
    const name = this.builder.nameOrGenerate(named?.name, 'KSTREAM-MERGE-');
    this.builder.addNode({ kind: 'merge', name, parents: [this.nodeName, other.nodeName], stores: [] });
    const same = (a?: Serde<unknown>, b?: Serde<unknown>) => (a === b ? a : undefined);
    return new KStream<K, V>(this.builder, name, {
      keySerde: same(this.state.keySerde, other.state.keySerde),
      valueSerde: same(this.state.valueSerde, other.state.valueSerde),
      repartitionRequired: this.state.repartitionRequired || other.state.repartitionRequired,
    });
  }

  /** Writes to a topic, or to the topic `extractor` picks for each record. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    if (typeof topic === 'string') validateTopicName(topic);
    const name = this.builder.nameOrGenerate(produced?.name, 'KSTREAM-SINK-');
    this.builder.addNode({
      kind: 'sink',
      name,
      parents: [this.nodeName],
      stores: [],
      topic: typeof topic === 'string' ? topic : undefined,
      topicExtractor: typeof topic === 'string' ? undefined : (topic as TopicNameExtractor<unknown, unknown>),
      keySerde: (produced?.keySerde as Serde<unknown> | undefined) ?? this.state.keySerde,
      valueSerde: (produced?.valueSerde as Serde<unknown> | undefined) ?? this.state.valueSerde,
      partitioner: produced?.partitioner as Produced<unknown, unknown>['partitioner'],
      internal: false,
    });
  }

  /** Writes through an internal topic `<application.id>-<name>-repartition` and reads it back,
   * so records are partitioned by their current key. */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    if (options.numberOfPartitions !== undefined && (!Number.isInteger(options.numberOfPartitions) || options.numberOfPartitions < 1)) {
      throw new StreamwrightError('TOPOLOGY_INVALID', `repartition() numberOfPartitions must be a positive integer, got ${options.numberOfPartitions}.`);
    }
    const base = this.builder.nameOrGenerate(options.name, 'KSTREAM-REPARTITION-');
    const keySerde = (options.keySerde as Serde<unknown> | undefined) ?? this.state.keySerde;
    const valueSerde = (options.valueSerde as Serde<unknown> | undefined) ?? this.state.valueSerde;
    return repartitionThrough<K, V>(this as unknown as KStream<unknown, unknown>, base, keySerde, valueSerde, options.numberOfPartitions, options.partitioner as Repartitioned<unknown, unknown>['partitioner']);
  }

  /** Groups by the current key; aggregating repartitions first if the key was changed upstream. */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped);
  }

  /** Groups by a new key (always repartitions before aggregating). */
  groupBy<KR>(selector: KeySelector<K, V, KR>, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const rekeyed = this.selectKey(selector, grouped.name === undefined ? undefined : { name: `${grouped.name}-select` });
    return new KGroupedStream<KR, V>(rekeyed, grouped);
  }

  /** Runs a custom Processor (Kafka Streams' process()); it forwards through ctx.forward(). */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, options: ProcessOptions = {}): KStream<KOut, VOut> {
    return this.append(
      { kind: 'process', supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown> },
      'KSTREAM-PROCESSOR-',
      options,
      { repartitionRequired: true },
      options.stores ?? [],
    );
  }

  /**
   * Inner join with another stream (records of both within `windows`), with a table (each record
   * with the table's current value), or with a GlobalKTable (each record with the global value
   * of `keyMapper(key, value)`). Repartitions first when a key was changed upstream (not needed
   * for global tables).
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, K, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, K, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keyMapper: (key: K, value: V) => GK | null | undefined, joiner: ValueJoiner<V, GV, K, VR>, named?: Named): KStream<K, VR>;
  join(other: KStream<K, unknown> | KTable<K, unknown> | GlobalKTable<unknown, unknown>, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    if (other instanceof GlobalKTable) return joinGlobal(this, other, second as (k: K, v: V) => unknown, third as ValueJoiner<V, unknown, K, unknown>, { ...(fourth as Named | undefined), left: false });
    return this.joinAs('inner', other, second as ValueJoiner<V, unknown, K, unknown>, third as JoinWindows | Joined<K, V, unknown> | undefined, fourth as StreamJoined<K, V, unknown> | undefined);
  }

  /** Like join(), and records without a partner are emitted with null for the other side (a stream
   * record after its window plus grace has closed; against a table or global table, at once). */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, K, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, K, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keyMapper: (key: K, value: V) => GK | null | undefined, joiner: ValueJoiner<V, GV | null, K, VR>, named?: Named): KStream<K, VR>;
  leftJoin(other: KStream<K, unknown> | KTable<K, unknown> | GlobalKTable<unknown, unknown>, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    if (other instanceof GlobalKTable) return joinGlobal(this, other, second as (k: K, v: V) => unknown, third as ValueJoiner<V, unknown, K, unknown>, { ...(fourth as Named | undefined), left: true });
    return this.joinAs('left', other, second as ValueJoiner<V, unknown, K, unknown>, third as JoinWindows | Joined<K, V, unknown> | undefined, fourth as StreamJoined<K, V, unknown> | undefined);
  }

  /** Windowed join where records of either stream without a partner are emitted with null for the other side. */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, K, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR> {
    if (!(other instanceof KStream)) throw new StreamwrightError('TOPOLOGY_INVALID', 'outerJoin() joins two streams; a KStream-KTable join is join() or leftJoin().');
    return streamStreamJoin(this, other, joiner, windows, streamJoined ?? {}, 'outer');
  }

  private joinAs(type: JoinType, other: KStream<K, unknown> | KTable<K, unknown>, joiner: ValueJoiner<V, unknown, K, unknown>, third: JoinWindows | Joined<K, V, unknown> | undefined, fourth: StreamJoined<K, V, unknown> | undefined): KStream<K, unknown> {
    if (other instanceof KStream) {
      if (!(third instanceof JoinWindows)) throw new StreamwrightError('TOPOLOGY_INVALID', `${type === 'inner' ? 'join' : 'leftJoin'}() of two streams needs JoinWindows as its third argument, e.g. JoinWindows.ofTimeDifferenceWithNoGrace(5_000).`);
      return streamStreamJoin(this, other, joiner as ValueJoiner<V | null, unknown, K, unknown>, third, fourth ?? {}, type);
    }
    if (third instanceof JoinWindows) throw new StreamwrightError('TOPOLOGY_INVALID', 'A KStream-KTable join takes no JoinWindows: the table side is always its current value.');
    return streamTableJoin(this, other, joiner, (third as Joined<K, V, unknown> | undefined) ?? {}, type === 'left');
  }

  /**
   * An Observable of the records that reach this point while the app runs (an edge of the graph:
   * a terminal foreach that feeds a Subject). It never completes by itself.
   */
  toObservable(named?: Named): Observable<ObservedRecord<K, V>> {
    const subject = new Subject<ObservedRecord<K, V>>();
    this.foreach((key, value) => subject.next({ key, value }), named);
    return subject.asObservable();
  }

  /** @internal Appends one node fed by this stream and returns the stream it produces. */
  append<KR, VR>(
    fields: DistributiveOmit<GraphNode, 'name' | 'parents' | 'stores'>,
    prefix: string,
    named: Named | undefined,
    state: StreamState,
    stores: readonly string[] = [],
  ): KStream<KR, VR> {
    const name = this.builder.nameOrGenerate(named?.name, prefix);
    this.builder.addNode({ ...fields, name, parents: [this.nodeName], stores } as GraphNode);
    return new KStream<KR, VR>(this.builder, name, state);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Adds sink -> internal topic -> source and returns the stream read back. */
export function repartitionThrough<K, V>(
  stream: KStream<unknown, unknown>,
  base: string,
  keySerde: Serde<unknown> | undefined,
  valueSerde: Serde<unknown> | undefined,
  partitions: number | undefined,
  partitioner?: Repartitioned<unknown, unknown>['partitioner'],
): KStream<K, V> {
  const b = stream.builder;
  const topic = `${base}-repartition`;
  // The name becomes part of a topic name: refuse it now rather than when the app creates the topic.
  validateTopicName(topic);
  b.addInternalTopic({ name: topic, role: 'repartition', partitions, config: { 'cleanup.policy': 'delete' } });
  b.addNode({ kind: 'sink', name: `${topic}-sink`, parents: [stream.nodeName], stores: [], topic, keySerde, valueSerde, partitioner, internal: true });
  b.addNode({ kind: 'source', name: `${topic}-source`, parents: [], stores: [], topics: [topic], keySerde, valueSerde, internal: true });
  return new KStream<K, V>(b, `${topic}-source`, { keySerde, valueSerde, repartitionRequired: false });
}
