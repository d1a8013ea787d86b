import type { KafkaMessage } from 'kafkajs';

/** One record as kafkajs's Fetch decoder returns it (a KafkaMessage plus its record batch's flags). */
export type RawFetchedMessage = KafkaMessage & {
  readonly isControlRecord?: boolean;
  readonly batchContext?: { readonly producerId?: string; readonly inTransaction?: boolean };
};

/** One partition of a Fetch response, as kafkajs's broker.fetch() decodes it (versions 4 and later). */
export interface FetchPartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  /** -1 (or absent) when the broker does not report it. */
  readonly lastStableOffset?: string;
  readonly abortedTransactions?: readonly { readonly producerId: string; readonly firstOffset: string }[];
  readonly messages: readonly RawFetchedMessage[];
}

/** What one partition's fetch answer means for a reader positioned at `fetchOffset`. */
export interface DecodedPartitionFetch {
  /** Records to deliver, in offset order: no control records, no records of aborted transactions. */
  readonly messages: KafkaMessage[];
  /** The position once every record of this answer is consumed (past trailing markers too). */
  readonly nextOffset: number;
  /** The end a reader of this isolation level can reach now: the last stable offset for read_committed, else the high watermark. */
  readonly end: number;
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker(m: RawFetchedMessage): boolean {
  return m.key !== null && m.key !== undefined && Buffer.compare(m.key, ABORT_MARKER_KEY) === 0;
}

/**
 * Turns one partition's Fetch answer into deliverable records and the next position, as Java's
 * Fetcher does for a manually assigned consumer:
 * - records before `fetchOffset` (a compressed batch starts earlier) are skipped;
 * - control records (transaction markers) occupy offsets but are never delivered;
 * - under read_committed, records of a producer inside an aborted transaction (from the aborted
 *   transaction's first offset up to that producer's abort marker) are dropped.
 * When the answer holds no record at or after `fetchOffset` although the partition goes further,
 * the position moves one offset on (see below).
 */
export function decodePartitionFetch(data: FetchPartitionData, fetchOffset: number, readCommitted: boolean): DecodedPartitionFetch {
  const hw = Number(data.highWatermark);
  const lso = data.lastStableOffset === undefined ? -1 : Number(data.lastStableOffset);
  const end = readCommitted && lso >= 0 ? lso : hw;
  const raw = data.messages;
  const aborted = readCommitted && data.abortedTransactions !== undefined && data.abortedTransactions.length > 0
    ? [...data.abortedTransactions].map((t) => ({ producerId: t.producerId, firstOffset: Number(t.firstOffset) })).sort((a, b) => a.firstOffset - b.firstOffset)
    : undefined;
  const inAborted = new Set<string>();
  let nextAborted = 0;
  const messages: KafkaMessage[] = [];
  let last = -1;
  for (let i = 0; i < raw.length; i++) {
    const m = raw[i];
    const offset = Number(m.offset);
    if (offset < fetchOffset) continue;
    last = offset;
    const producerId = m.batchContext?.producerId;
    if (aborted !== undefined) {
      while (nextAborted < aborted.length && aborted[nextAborted].firstOffset <= offset) inAborted.add(aborted[nextAborted++].producerId);
    }
    if (m.isControlRecord === true) {
      if (producerId !== undefined && isAbortMarker(m)) inAborted.delete(producerId);
      continue;
    }
    if (aborted !== undefined && producerId !== undefined && m.batchContext?.inTransaction === true && inAborted.has(producerId)) continue;
    messages.push(m);
  }
  // Nothing at or after fetchOffset although the partition goes on: the batch holding fetchOffset has
  // no record there any more (compaction); kafkajs hides its header (and its last offset), so step
  // one offset on. Jumping to the end, as kafkajs's consumer does, would skip a following batch
  // that the broker cut at max.partition.fetch.bytes.
  const nextOffset = last >= 0 ? last + 1 : fetchOffset < end ? fetchOffset + 1 : fetchOffset;
  return { messages, nextOffset, end };
}
