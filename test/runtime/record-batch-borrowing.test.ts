/**
 * The source lends the fetched batch's timestamp/offset/header columns to its output (and
 * mapValues lends its input's) while output record n is fetched record n. A record skipped
 * mid-batch (deserialization error under log-and-continue, negative timestamp) breaks that
 * correspondence: from there on the columns must be copied, and records after the skip must
 * keep their own offset, timestamp and headers. Checked against a plain reference: the fetched
 * records minus the skipped ones.
 */
import { describe, expect, it } from 'vitest';
import type { FetchBatch, Header } from '../../src/backend/backend-types.js';
import { StreamsBuilder } from '../../src/dsl/index.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { Serdes } from '../../src/serde/index.js';
import { taskFor } from './operators/task-harness.js';

/** Strings, except that the value "bad" cannot be deserialized. */
const picky: Serde<string> = {
  name: 'Picky',
  serialize: (_t, s) => (s === null ? null : Buffer.from(s)),
  deserialize: (_t, b) => {
    const s = b === null ? null : b.toString();
    if (s === 'bad') throw new Error('not a valid value');
    return s as string;
  },
};

interface In {
  readonly value: string;
  readonly ts: number;
}

interface Out {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
  readonly offset: number;
  readonly headers: readonly Header[] | undefined;
}

function fetched(records: readonly In[], firstOffset: number): FetchBatch {
  return {
    topic: 'in',
    partition: 0,
    size: records.length,
    offsets: records.map((_, i) => firstOffset + i),
    timestamps: records.map((r) => r.ts),
    keys: records.map((_, i) => Buffer.from(`k${firstOffset + i}`)),
    values: records.map((r) => Buffer.from(r.value)),
    headers: records.map((_, i) => (i % 3 === 2 ? undefined : [{ key: 'n', value: Buffer.from(String(firstOffset + i)) }])),
    highWatermark: firstOffset + records.length,
  };
}

/** The reference: fetched records that are neither "bad" nor negatively timestamped, upper-cased. */
function expected(batches: readonly FetchBatch[]): Out[] {
  const out: Out[] = [];
  for (const fb of batches) {
    for (let i = 0; i < fb.size; i++) {
      const value = fb.values[i]!.toString();
      if (value === 'bad' || fb.timestamps[i] < 0) continue;
      out.push({ key: fb.keys[i]!.toString(), value: value.toUpperCase(), timestamp: fb.timestamps[i], offset: fb.offsets[i], headers: fb.headers[i] });
    }
  }
  return out;
}

/** Runs stream(in).mapValues(upper).to(extractor) over the batches, `step` records per process() call. */
function run(batches: readonly FetchBatch[], step: number): Out[] {
  const offsets: number[] = [];
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('in', { keySerde: Serdes.String(), valueSerde: picky })
    .mapValues((v) => v.toUpperCase())
    .to(
      (_k, _v, meta) => {
        offsets.push(meta.offset);
        return 'out';
      },
      { keySerde: Serdes.String(), valueSerde: Serdes.String() },
    );
  const h = taskFor(builder.build(), { deserializationHandler: 'log-and-continue' });
  for (const fb of batches) {
    h.task.addRecords(fb);
    for (let guard = 0; guard < 10_000 && h.task.buffered() > 0; guard++) h.task.process(step);
  }
  expect(h.task.buffered()).toBe(0);
  return h.sent.map((r, i) => ({ key: r.key!.toString(), value: r.value!.toString(), timestamp: r.timestamp, offset: offsets[i], headers: r.headers }));
}

const rec = (value: string, ts: number): In => ({ value, ts });

describe('RecordBatch column lending when the source skips records', () => {
  it('keeps offsets, timestamps and headers aligned after a deserialization error and a negative timestamp mid-batch', () => {
    const fb = fetched([rec('a', 10), rec('b', 11), rec('bad', 12), rec('c', 13), rec('d', -1), rec('e', 15), rec('f', 16)], 100);
    const got = run([fb], Infinity);
    expect(got.map((r) => [r.value, r.offset, r.timestamp])).toEqual([
      ['A', 100, 10],
      ['B', 101, 11],
      ['C', 103, 13],
      ['E', 105, 15],
      ['F', 106, 16],
    ]);
    expect(got).toEqual(expected([fb]));
  });

  it('handles a skip at the first and at the last record', () => {
    const fb = fetched([rec('bad', 1), rec('a', 2), rec('b', 3), rec('z', -7)], 0);
    expect(run([fb], Infinity)).toEqual(expected([fb]));
  });

  it('a skip after a fully lent batch copies into the batch\'s own columns and leaves the previous fetch untouched', () => {
    const clean = fetched([rec('a', 1), rec('b', 2), rec('c', 3)], 0);
    const snapshot = { offsets: [...clean.offsets], timestamps: [...clean.timestamps], headers: [...clean.headers] };
    const dirty = fetched([rec('d', 4), rec('bad', 5), rec('e', 6), rec('f', -1), rec('g', 8)], 3);
    expect(run([clean, dirty], Infinity)).toEqual(expected([clean, dirty]));
    expect({ offsets: clean.offsets, timestamps: clean.timestamps, headers: clean.headers }).toEqual(snapshot);
  });

  it('matches the reference for random skip positions, batch sizes and run lengths', () => {
    let seed = 2024;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let c = 0; c < 300; c++) {
      const batches: FetchBatch[] = [];
      let offset = rnd(50);
      let ts = 1000;
      for (let b = 0, nb = 1 + rnd(3); b < nb; b++) {
        const records: In[] = [];
        for (let i = 0, n = 1 + rnd(12); i < n; i++) {
          const kind = rnd(6);
          ts += rnd(3);
          records.push(kind === 0 ? rec('bad', ts) : kind === 1 ? rec(`v${i}`, -1 - rnd(5)) : rec(`v${i}`, ts));
        }
        batches.push(fetched(records, offset));
        offset += records.length + rnd(3); // compacted gaps between fetches
      }
      const step = rnd(2) === 0 ? Infinity : 1 + rnd(5);
      const got = run(batches, step);
      expect(got, `case ${c}, step ${step}`).toEqual(expected(batches));
    }
  });
});
