import type { KeyValueMapper } from '../processor-types.js';
import type { NodeBase } from './node-base.js';

/**
 * KTable.groupBy(): re-keys table updates for re-aggregation. For an update, the old value is sent
 * to its old group as a subtraction (Change{oldValue}) and the new value to its new group as an
 * addition (Change{newValue}).
 */
export interface TableGroupByNode extends NodeBase<'tableGroupBy'> {
  readonly selector: KeyValueMapper<unknown, unknown, unknown, unknown>;
}
