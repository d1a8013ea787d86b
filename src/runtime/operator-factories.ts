import type { GraphNode, NodeOfKind, NodeKind } from '../graph/graph-node.js';
import type { Operator } from './operator.js';
import { BranchOperator } from './operators/branch-operator.js';
import { FilterOperator } from './operators/filter-operator.js';
import { FlatMapOperator } from './operators/flat-map-operator.js';
import { FlatMapValuesOperator } from './operators/flat-map-values-operator.js';
import { MapOperator } from './operators/map-operator.js';
import { MapValuesOperator } from './operators/map-values-operator.js';
import { PassthroughOperator } from './operators/passthrough-operator.js';
import { PeekOperator } from './operators/peek-operator.js';
import { ProcessOperator } from './operators/process-operator.js';
import { SelectKeyOperator } from './operators/select-key-operator.js';
import { SinkOperator } from './operators/sink-operator.js';
import { SourceOperator } from './operators/source-operator.js';

type Factories = { readonly [K in NodeKind]: (node: NodeOfKind<K>) => Operator };

/** One factory per node kind: adding a kind to the graph without an operator fails to compile. */
export const operatorFactories: Factories = {
  source: (n) => new SourceOperator(n),
  sink: (n) => new SinkOperator(n),
  filter: (n) => new FilterOperator(n),
  map: (n) => new MapOperator(n),
  selectKey: (n) => new SelectKeyOperator(n),
  mapValues: (n) => new MapValuesOperator(n),
  flatMap: (n) => new FlatMapOperator(n),
  flatMapValues: (n) => new FlatMapValuesOperator(n),
  peek: (n) => new PeekOperator(n),
  foreach: (n) => new PeekOperator(n),
  branch: (n) => new BranchOperator(n),
  passthrough: (n) => new PassthroughOperator(n.name),
  merge: (n) => new PassthroughOperator(n.name),
  process: (n) => new ProcessOperator(n),
};

export function createOperator(node: GraphNode): Operator {
  return (operatorFactories[node.kind] as (n: GraphNode) => Operator)(node);
}
