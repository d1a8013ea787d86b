import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { show, streamTableModel, type SideRecord } from '../../reference/joins/join-models.js';
import { describeSideCase, randomSideRecords } from '../../reference/joins/join-inputs.js';
import { prng } from '../../reference/random-input.js';
import { decode, fetchBatch } from '../operators/task-harness.js';
import { taskWithStores } from '../operators/task-store-harness.js';
import { I, S } from './join-harness.js';

const CASES = Number(process.env.SW_PROPERTY_CASES ?? 60);

/**
 * Kafka Streams' order across a task's input partitions, record by record: the partition whose
 * next record has the smaller timestamp goes first (timestamps here are distinct, so no ties).
 */
function partitionOrder(records: readonly SideRecord[]): SideRecord[] {
  const left = records.filter((r) => r.side === 'L');
  const right = records.filter((r) => r.side === 'R');
  const out: SideRecord[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length || r < right.length) {
    if (r >= right.length || (l < left.length && left[l].ts < right[r].ts)) out.push(left[l++]);
    else out.push(right[r++]);
  }
  return out;
}

/** Cuts one side's records into fetched batches of random sizes. */
function batchesOf(topic: string, records: readonly SideRecord[], r: () => number) {
  const out = [];
  for (let i = 0; i < records.length; ) {
    const n = 1 + Math.floor(r() * 8);
    out.push(fetchBatch(topic, 0, i, records.slice(i, i + n).map((x) => [x.key, x.value, x.ts] as const), S, I));
    i += n;
  }
  return out;
}

describe('KStream-KTable join through a StreamTask with fetched batches (runs of many records)', () => {
  for (const [leftJoin, cacheMaxBytes] of [[false, 0], [true, 0], [false, 400], [true, 1 << 20]] as const) {
    it(`${leftJoin ? 'leftJoin' : 'join'}, record cache ${cacheMaxBytes} bytes: each stream record sees exactly the table updates ordered before it`, async () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const r = prng(seed * 7919);
        const raw = randomSideRecords(seed, { count: 10 + Math.floor(r() * 60), keys: ['a', 'b', 'c'], step: 3, disorder: 10, outOfOrder: 0.3, nulls: 0.15, nullKeys: 0 });
        // Distinct timestamps (same relative order), so the cross-partition order has no ties.
        const records = raw.map((x, i) => ({ ...x, ts: x.ts * 1000 + i }));
        const b = new StreamsBuilder();
        const stream = b.stream<string, number>('left', { keySerde: S, valueSerde: I });
        const table = b.table<string, number>('right', { keySerde: S, valueSerde: I });
        const joiner = (v: number, t: number | null) => show(v, t);
        (leftJoin ? stream.leftJoin(table, joiner) : stream.join(table, joiner)).to('out', { keySerde: S, valueSerde: S });
        const { task, sent } = await taskWithStores(b.build(), { cacheMaxBytes });
        for (const fb of batchesOf('right', records.filter((x) => x.side === 'R'), r)) task.addRecords(fb);
        for (const fb of batchesOf('left', records.filter((x) => x.side === 'L'), r)) task.addRecords(fb);
        // Stop and resume at arbitrary points too.
        while (task.buffered() > 0) task.process(1 + Math.floor(r() * 20));
        const out = decode(sent, 'out', S, S).map(([key, value, ts]) => ({ key, value, ts }));
        expect(out, describeSideCase(seed, records)).toEqual(streamTableModel(partitionOrder(records), leftJoin));
      }
    });
  }
});
