import type { GraphBuilder } from '../graph/graph-builder.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { Aggregator } from '../graph/processor-types.js';
import type { StoreSpec } from '../graph/store-spec.js';
import type { KGroupedStream } from './kgrouped-stream.js';

/** One grouped stream of a cogroup and the aggregator its records go through. */
export interface CogroupInput<K> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: Aggregator<K, unknown, unknown>;
}

/** What every input's aggregation node of a cogroup has: its name, its input, the shared store and its aggregator. */
export interface CogroupNodeFields {
  readonly name: string;
  readonly parents: string[];
  readonly stores: string[];
  readonly store: string;
  readonly aggregator: Aggregator<unknown, unknown, unknown>;
}

/** Kafka Streams' names for a cogroup's aggregation processors and store (CogroupedKStreamImpl.AGGREGATE_NAME). */
export const COGROUP_AGGREGATE = 'COGROUPKSTREAM-AGGREGATE-';

/**
 * Adds one aggregation node per input, all writing the one store, and the merge node that
 * forwards their updates as one table (Kafka Streams' CogroupedStreamAggregateBuilder): the inputs'
 * repartition topics first, then the aggregation processors, then COGROUPKSTREAM-MERGE-. Returns
 * the merge node's name.
 */
export function addCogroupNodes<K>(inputs: readonly CogroupInput<K>[], store: StoreSpec, node: (common: CogroupNodeFields) => GraphNode): string {
  const graph: GraphBuilder = inputs[0].grouped.stream.builder;
  const parents = inputs.map((input) => input.grouped.input(store.name));
  const aggregates = inputs.map((input, i) => {
    const common: CogroupNodeFields = {
      name: graph.newName(COGROUP_AGGREGATE),
      parents: [parents[i]],
      stores: [store.name],
      store: store.name,
      aggregator: input.aggregator as Aggregator<unknown, unknown, unknown>,
    };
    return graph.addNode(node(common)).name;
  });
  const merge = graph.newName('COGROUPKSTREAM-MERGE-');
  graph.addNode({ kind: 'merge', name: merge, parents: aggregates, stores: [] });
  return merge;
}
