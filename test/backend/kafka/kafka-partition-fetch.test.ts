import { describe, expect, it } from 'vitest';
import { decodePartitionFetch, type FetchPartitionData, type RawFetchedMessage } from '../../../src/backend/kafka/kafka-partition-fetch.js';

/** A record as kafkajs decodes it: `p<id>` = transactional record of producer id, `ctl-abort`/`ctl-commit` = a marker. */
function rec(offset: number, what: string): RawFetchedMessage {
  const base = { offset: String(offset), timestamp: String(offset), attributes: 0, headers: {} };
  if (what.startsWith('ctl-')) {
    const [, kind, producerId] = what.split('-');
    // Control record key: int16 version 0, int16 type (0 = ABORT, 1 = COMMIT).
    return { ...base, key: Buffer.from([0, 0, 0, kind === 'abort' ? 0 : 1]), value: Buffer.alloc(6), isControlRecord: true, batchContext: { producerId, inTransaction: true } } as RawFetchedMessage;
  }
  const [, producerId] = what.split('p');
  return { ...base, key: Buffer.from(`k${offset}`), value: Buffer.from(`v${offset}`), isControlRecord: false, batchContext: producerId === undefined ? { producerId: '-1', inTransaction: false } : { producerId, inTransaction: true } } as RawFetchedMessage;
}

function data(records: RawFetchedMessage[], hw: number, lso = hw, aborted: { producerId: string; firstOffset: number }[] = []): FetchPartitionData {
  return { partition: 0, errorCode: 0, highWatermark: String(hw), lastStableOffset: String(lso), abortedTransactions: aborted.map((a) => ({ producerId: a.producerId, firstOffset: String(a.firstOffset) })), messages: records };
}

const offsets = (d: ReturnType<typeof decodePartitionFetch>) => d.messages.map((m) => Number(m.offset));

describe('decodePartitionFetch (Kafka Fetch semantics for a groupless reader)', () => {
  it('skips records before the fetch offset (a compressed batch starting earlier) and continues after the last one', () => {
    const d = decodePartitionFetch(data([rec(3, 'x'), rec(4, 'x'), rec(5, 'x'), rec(6, 'x')], 10), 5, false);
    expect(offsets(d)).toEqual([5, 6]);
    expect(d.nextOffset).toBe(7);
    expect(d.end).toBe(10);
  });

  it('never delivers markers but moves past them, so a reader waiting for the end sees progress', () => {
    // p7 writes 0,1 and commits (marker at 2); a non-transactional record at 3; p7's abort marker at 4 ends nothing open.
    const d = decodePartitionFetch(data([rec(0, 'p7'), rec(1, 'p7'), rec(2, 'ctl-commit-7'), rec(3, 'x')], 4), 0, true);
    expect(offsets(d)).toEqual([0, 1, 3]);
    const onlyMarker = decodePartitionFetch(data([rec(2, 'ctl-commit-7')], 3), 2, true);
    expect(offsets(onlyMarker)).toEqual([]);
    expect(onlyMarker.nextOffset).toBe(3);
  });

  it('read_committed drops the records of aborted transactions, per producer, up to that producer\'s abort marker', () => {
    // Worked example: producers 7 and 8 interleave. 7 aborts its transaction (first offset 0, marker at 4);
    // 8 commits (marker at 5). After its abort, 7 writes again at 6 in a new transaction that commits at 7.
    const records = [rec(0, 'p7'), rec(1, 'p8'), rec(2, 'p7'), rec(3, 'p8'), rec(4, 'ctl-abort-7'), rec(5, 'ctl-commit-8'), rec(6, 'p7'), rec(7, 'ctl-commit-7')];
    const committed = decodePartitionFetch(data(records, 8, 8, [{ producerId: '7', firstOffset: 0 }]), 0, true);
    expect(offsets(committed)).toEqual([1, 3, 6]);
    expect(committed.nextOffset).toBe(8);
    // read_uncommitted sees every data record; the aborted list does not apply.
    expect(offsets(decodePartitionFetch(data(records, 8, 8, [{ producerId: '7', firstOffset: 0 }]), 0, false))).toEqual([0, 1, 2, 3, 6]);
  });

  it('reports the last stable offset as the end for read_committed and the high watermark otherwise', () => {
    expect(decodePartitionFetch(data([rec(0, 'x')], 9, 4), 0, true).end).toBe(4);
    expect(decodePartitionFetch(data([rec(0, 'x')], 9, 4), 0, false).end).toBe(9);
    // A broker that does not report the last stable offset (-1): fall back to the high watermark.
    expect(decodePartitionFetch(data([rec(0, 'x')], 9, -1), 0, true).end).toBe(9);
  });

  it('steps one offset on when nothing at or after the fetch offset came back but the partition goes on, and stays at the end', () => {
    expect(decodePartitionFetch(data([], 20), 5, false).nextOffset).toBe(6);
    expect(decodePartitionFetch(data([rec(3, 'x')], 20), 5, false).nextOffset).toBe(6);
    expect(decodePartitionFetch(data([], 5), 5, false).nextOffset).toBe(5);
  });
});
