import type { Header } from '../graph/processor-types.js';

/** Where sinks put serialized records. The runtime sends them through the backend producer;
 * the TopologyTestDriver captures them. */
export interface RecordCollector {
  send(
    topic: string,
    partition: number | undefined,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: readonly Header[] | undefined,
  ): void;
}
