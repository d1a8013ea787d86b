import type { AggregateNode } from './nodes/aggregate-node.js';
import type { SessionAggregateNode } from './nodes/session-aggregate-node.js';
import type { SuppressNode } from './nodes/suppress-node.js';
import type { TableAggregateNode } from './nodes/table-aggregate-node.js';
import type { TableFilterNode } from './nodes/table-filter-node.js';
import type { TableGroupByNode } from './nodes/table-group-by-node.js';
import type { TableMapValuesNode } from './nodes/table-map-values-node.js';
import type { TableSourceNode } from './nodes/table-source-node.js';
import type { ToStreamNode } from './nodes/to-stream-node.js';
import type { WindowAggregateNode } from './nodes/window-aggregate-node.js';
import type { BranchNode } from './nodes/branch-node.js';
import type { FilterNode } from './nodes/filter-node.js';
import type { FlatMapNode } from './nodes/flat-map-node.js';
import type { FlatMapValuesNode } from './nodes/flat-map-values-node.js';
import type { ForeachNode } from './nodes/foreach-node.js';
import type { MapNode } from './nodes/map-node.js';
import type { MapValuesNode } from './nodes/map-values-node.js';
import type { MergeNode } from './nodes/merge-node.js';
import type { PassthroughNode } from './nodes/passthrough-node.js';
import type { PeekNode } from './nodes/peek-node.js';
import type { ProcessNode } from './nodes/process-node.js';
import type { SelectKeyNode } from './nodes/select-key-node.js';
import type { SinkNode } from './nodes/sink-node.js';
import type { SourceNode } from './nodes/source-node.js';
import type { StreamStreamJoinNode } from './nodes/stream-stream-join-node.js';
import type { StreamTableJoinNode } from './nodes/stream-table-join-node.js';
import type { TableTableJoinNode } from './nodes/table-table-join-node.js';
import type { TableJoinMergeNode } from './nodes/table-join-merge-node.js';
import type { GlobalTableSourceNode } from './nodes/global-table-source-node.js';
import type { StreamGlobalJoinNode } from './nodes/stream-global-join-node.js';
import type { ForeignKeySubscriptionSendNode } from './nodes/foreign-key-subscription-send-node.js';
import type { ForeignKeySubscriptionReceiveNode } from './nodes/foreign-key-subscription-receive-node.js';
import type { ForeignKeyTableJoinNode } from './nodes/foreign-key-table-join-node.js';
import type { ForeignKeyResponseJoinNode } from './nodes/foreign-key-response-join-node.js';

/** The closed union of node kinds. Adding a kind here makes every visitor table fail to compile
 * until it handles the new kind. */
export type GraphNode =
  | SourceNode
  | SinkNode
  | FilterNode
  | MapNode
  | SelectKeyNode
  | MapValuesNode
  | FlatMapNode
  | FlatMapValuesNode
  | PeekNode
  | ForeachNode
  | BranchNode
  | PassthroughNode
  | MergeNode
  | ProcessNode
  | AggregateNode
  | WindowAggregateNode
  | SessionAggregateNode
  | TableSourceNode
  | TableFilterNode
  | TableMapValuesNode
  | ToStreamNode
  | TableGroupByNode
  | TableAggregateNode
  | SuppressNode
  | StreamStreamJoinNode
  | StreamTableJoinNode
  | TableTableJoinNode
  | TableJoinMergeNode
  | GlobalTableSourceNode
  | StreamGlobalJoinNode
  | ForeignKeySubscriptionSendNode
  | ForeignKeySubscriptionReceiveNode
  | ForeignKeyTableJoinNode
  | ForeignKeyResponseJoinNode;

export type NodeKind = GraphNode['kind'];

export type NodeOfKind<K extends NodeKind> = Extract<GraphNode, { kind: K }>;

/** A table with one entry per node kind: a missing kind is a compile error. */
export type NodeVisitor<R> = { readonly [K in NodeKind]: (node: NodeOfKind<K>) => R };

export function visitNode<R>(visitor: NodeVisitor<R>, node: GraphNode): R {
  return (visitor[node.kind] as (n: GraphNode) => R)(node);
}

/** The role a node plays in describe(): Kafka Streams' Source / Processor / Sink. */
export function nodeRole(node: GraphNode): 'Source' | 'Sink' | 'Processor' {
  return node.kind === 'source' ? 'Source' : node.kind === 'sink' ? 'Sink' : 'Processor';
}
