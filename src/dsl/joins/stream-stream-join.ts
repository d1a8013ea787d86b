import type { GraphBuilder } from '../../graph/graph-builder.js';
import { joinBufferSerde, joinRetentionMs, joinSideKeySerde, type JoinType, type ValueJoiner } from '../../graph/join-windows.js';
import type { Serde } from '../../graph/serde-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { JoinWindows } from '../join-windows.js';
import { KStream } from '../kstream.js';
import type { StreamJoined } from './join-options.js';
import { repartitionForJoin } from './join-repartition.js';

function windowStore(b: GraphBuilder, name: string, keySerde: Serde<unknown> | undefined, retentionMs: number, o: StreamJoined<unknown, unknown, unknown>, extraConfig: Record<string, string> = {}): void {
  b.addStore({
    name,
    type: 'window',
    keySerde,
    valueSerde: joinBufferSerde,
    persistent: (o.storeType ?? 'leveldb') === 'leveldb',
    logging: o.logging ?? true,
    loggingConfig: { ...extraConfig, ...o.loggingConfig },
    caching: false,
    // A record is one 1 ms slot at its timestamp; kept while ts >= stream time - (before + after + grace).
    retentionMs: retentionMs + 1,
    windowSizeMs: 1,
    retainDuplicates: true,
  });
}

/**
 * Adds a KStream-KStream join (Kafka Streams' KStreamImplJoin): repartitions either side whose key
 * was changed, buffers both sides in window stores, and merges the two join processors' output.
 */
export function streamStreamJoin<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: ValueJoiner<V | null, VO | null, K, VR>,
  windows: JoinWindows,
  options: StreamJoined<K, V, VO>,
  joinType: JoinType,
): KStream<K, VR> {
  if (right.builder !== left.builder) throw new StreamwrightError('TOPOLOGY_INVALID', 'join() needs two streams from the same StreamsBuilder.');
  if (!(windows instanceof JoinWindows)) {
    throw new StreamwrightError('TOPOLOGY_INVALID', 'A KStream-KStream join needs JoinWindows, e.g. left.join(right, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(5_000)).');
  }
  if (typeof joiner !== 'function') throw new StreamwrightError('TOPOLOGY_INVALID', `join() needs a ValueJoiner function (leftValue, rightValue, key) => result, got ${typeof joiner}.`);
  const b = left.builder;
  const o = options as StreamJoined<unknown, unknown, unknown>;
  const keySerde = (o.keySerde as Serde<unknown> | undefined) ?? left.state.keySerde ?? right.state.keySerde;
  const leftValueSerde = (o.valueSerde as Serde<unknown> | undefined) ?? left.state.valueSerde;
  const rightValueSerde = (o.otherValueSerde as Serde<unknown> | undefined) ?? right.state.valueSerde;
  const named = o.name;
  // KIP-962: an outer side keeps its null keys through the repartition (they are emitted unjoined).
  const l = left.state.repartitionRequired ? repartitionForJoin(left, named !== undefined ? `${named}-left` : left.nodeName, keySerde, leftValueSerde, joinType !== 'inner') : left;
  const r = right.state.repartitionRequired ? repartitionForJoin(right, named !== undefined ? `${named}-right` : right.nodeName, keySerde, rightValueSerde, joinType === 'outer') : right;

  const thisOuter = joinType === 'outer';
  const otherOuter = joinType !== 'inner';
  const thisName = named !== undefined ? `${named}-${thisOuter ? 'outer-this' : 'this'}-join` : b.newName(thisOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const otherName = named !== undefined ? `${named}-${otherOuter ? 'outer-other' : 'other'}-join` : b.newName(otherOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const mergeName = named !== undefined ? `${named}-merge` : b.newName('KSTREAM-MERGE-');
  const storeBase = o.storeName ?? named;
  const thisStore = storeBase !== undefined ? `${storeBase}-this-join-store` : `${thisName}-store`;
  const otherStore = storeBase !== undefined ? `${storeBase}-other-join-store` : `${otherName}-store`;
  const outerStore = joinType === 'inner' ? undefined : storeBase !== undefined ? `${storeBase}-outer-shared-join-store` : `${b.newName('KSTREAM-OUTERSHARED-')}-store`;
  for (const s of [thisStore, otherStore, outerStore]) {
    if (s !== undefined && !/^[a-zA-Z0-9._-]+$/.test(s)) {
      throw new StreamwrightError('STATE_STORE', `Join store name ${JSON.stringify(s)} may only use letters, digits, '.', '_' and '-' (it names the changelog topic). Change StreamJoined name/storeName.`, { store: s });
    }
  }

  const spec = windows.spec;
  const retention = joinRetentionMs(spec);
  windowStore(b, thisStore, keySerde, retention, o);
  windowStore(b, otherStore, keySerde, retention, o);
  // Pending records leave only once emitted or joined, never by age: a compacted changelog.
  if (outerStore !== undefined) {
    b.addStore({
      name: outerStore,
      type: 'window',
      keySerde: joinSideKeySerde,
      valueSerde: joinBufferSerde,
      persistent: (o.storeType ?? 'leveldb') === 'leveldb',
      logging: o.logging ?? true,
      loggingConfig: { ...o.loggingConfig, 'cleanup.policy': 'compact' },
      caching: false,
      retentionMs: Math.max(spec.beforeMs, spec.afterMs, 0) + spec.graceMs + 1,
      windowSizeMs: 1,
    });
  }
  const stores = outerStore !== undefined ? [thisStore, otherStore, outerStore] : [thisStore, otherStore];
  const common = {
    joinType,
    windows: spec,
    outerStore,
    joiner: joiner as ValueJoiner<unknown, unknown, unknown, unknown>,
    serdes: { keySerde, leftValueSerde, rightValueSerde },
    joinId: thisName,
  };
  b.addNode({ kind: 'streamStreamJoin', name: thisName, parents: [l.nodeName], stores, side: 'left', thisStore, otherStore, ...common });
  b.addNode({ kind: 'streamStreamJoin', name: otherName, parents: [r.nodeName], stores, side: 'right', thisStore: otherStore, otherStore: thisStore, ...common });
  b.addNode({ kind: 'merge', name: mergeName, parents: [thisName, otherName], stores: [] });
  return new KStream<K, VR>(b, mergeName, { keySerde, repartitionRequired: false });
}
