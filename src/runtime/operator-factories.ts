import type { GraphNode, NodeOfKind, NodeKind } from '../graph/graph-node.js';
import type { Operator } from './operator.js';
import { AggregateOperator } from './operators/aggregate-operator.js';
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
import { SessionAggregateOperator } from './operators/session-aggregate-operator.js';
import { SinkOperator } from './operators/sink-operator.js';
import { SlidingWindowAggregateOperator } from './operators/sliding-window-aggregate-operator.js';
import { SourceOperator } from './operators/source-operator.js';
import { SuppressOperator } from './operators/suppress-operator.js';
import { TableAggregateOperator } from './operators/table-aggregate-operator.js';
import { TableFilterOperator } from './operators/table-filter-operator.js';
import { TableGroupByOperator } from './operators/table-group-by-operator.js';
import { TableMapValuesOperator } from './operators/table-map-values-operator.js';
import { TableSourceOperator } from './operators/table-source-operator.js';
import { ToStreamOperator } from './operators/to-stream-operator.js';
import { WindowAggregateOperator } from './operators/window-aggregate-operator.js';
import { StreamStreamJoinOperator } from './operators/stream-stream-join-operator.js';
import { StreamTableJoinOperator } from './operators/stream-table-join-operator.js';
import { TableTableJoinOperator } from './operators/table-table-join-operator.js';
import { TableJoinMergeOperator } from './operators/table-join-merge-operator.js';
import { GlobalTableSourceOperator } from './operators/global-table-source-operator.js';
import { StreamGlobalJoinOperator } from './operators/stream-global-join-operator.js';
import { ForeignKeySubscriptionSendOperator } from './operators/foreign-key-subscription-send-operator.js';
import { ForeignKeySubscriptionReceiveOperator } from './operators/foreign-key-subscription-receive-operator.js';
import { ForeignKeyTableJoinOperator } from './operators/foreign-key-table-join-operator.js';
import { ForeignKeyResponseJoinOperator } from './operators/foreign-key-response-join-operator.js';

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
  aggregate: (n) => new AggregateOperator(n),
  windowAggregate: (n) => (n.windows.type === 'sliding' ? new SlidingWindowAggregateOperator(n) : new WindowAggregateOperator(n)),
  sessionAggregate: (n) => new SessionAggregateOperator(n),
  tableSource: (n) => new TableSourceOperator(n),
  tableFilter: (n) => new TableFilterOperator(n),
  tableMapValues: (n) => new TableMapValuesOperator(n),
  toStream: (n) => new ToStreamOperator(n.name),
  tableGroupBy: (n) => new TableGroupByOperator(n),
  tableAggregate: (n) => new TableAggregateOperator(n),
  suppress: (n) => new SuppressOperator(n),
  streamStreamJoin: (n) => new StreamStreamJoinOperator(n),
  streamTableJoin: (n) => new StreamTableJoinOperator(n),
  tableTableJoin: (n) => new TableTableJoinOperator(n),
  tableJoinMerge: (n) => new TableJoinMergeOperator(n),
  globalTableSource: (n) => new GlobalTableSourceOperator(n),
  streamGlobalJoin: (n) => new StreamGlobalJoinOperator(n),
  foreignKeySubscriptionSend: (n) => new ForeignKeySubscriptionSendOperator(n),
  foreignKeySubscriptionReceive: (n) => new ForeignKeySubscriptionReceiveOperator(n),
  foreignKeyTableJoin: (n) => new ForeignKeyTableJoinOperator(n),
  foreignKeyResponseJoin: (n) => new ForeignKeyResponseJoinOperator(n),
};

export function createOperator(node: GraphNode): Operator {
  return (operatorFactories[node.kind] as (n: GraphNode) => Operator)(node);
}
