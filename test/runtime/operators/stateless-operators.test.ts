import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../src/graph/graph-node.js';
import type { Header } from '../../../src/graph/processor-types.js';
import { createOperator } from '../../../src/runtime/operator-factories.js';
import type { Operator } from '../../../src/runtime/operator.js';
import { RecordBatch } from '../../../src/runtime/record-batch.js';
import type { TaskContext } from '../../../src/runtime/task-context.js';

// Operators one at a time on hand-made RecordBatches: every output record must keep the timestamp,
// source offset and headers of the input record it came from, whatever the batch sizes.

type Row = [key: unknown, value: unknown, ts: number, offset: number, headers: string | undefined];

/** A child that copies what it receives (batches are reused, so it must not keep them). */
class Capture implements Operator {
  readonly name = 'capture';
  children: Operator[] = [];
  readonly rows: Row[] = [];
  readonly batchLengths: number[] = [];
  init(): void {}
  close(): void {}
  process(b: RecordBatch): void {
    this.batchLengths.push(b.length);
    for (let i = 0; i < b.length; i++) this.rows.push([b.keys[i], b.values[i], b.timestamps[i], b.offsets[i], b.headers[i]?.map((h) => h.key).join(',')]);
  }
}

/** A child that throws. */
class Failing extends Capture {
  override process(): void {
    throw new Error('child failed');
  }
}

const ctx = {} as TaskContext;

function wire(node: GraphNode, ...children: Operator[]): Operator {
  const op = createOperator(node);
  op.children = children;
  for (const c of children) c.init(ctx);
  op.init(ctx);
  return op;
}

function batchOf(rows: readonly (readonly [unknown, unknown])[], firstOffset = 10, topic = 'in', partition = 0): RecordBatch {
  const b = new RecordBatch();
  b.topic = topic;
  b.partition = partition;
  rows.forEach(([k, v], i) => {
    const headers: Header[] | undefined = i % 2 === 0 ? [{ key: `h${i}`, value: null }] : undefined;
    b.push(k, v, 1000 + i, firstOffset + i, headers);
  });
  return b;
}

const base = { parents: ['src'], stores: [] } as const;
const ROWS = [
  ['a', 1],
  ['b', 2],
  ['c', 3],
  ['d', 4],
] as const;
/** Metadata of input record i of batchOf(ROWS). */
const meta = (i: number): [number, number, string | undefined] => [1000 + i, 10 + i, i % 2 === 0 ? `h${i}` : undefined];

describe('stateless operators keep per-record metadata', () => {
  it('filter / filterNot', () => {
    const keep = new Capture();
    wire({ ...base, kind: 'filter', name: 'f', predicate: (_k, v) => (v as number) % 2 === 0, negate: false }, keep).process(batchOf(ROWS));
    expect(keep.rows).toEqual([['b', 2, ...meta(1)], ['d', 4, ...meta(3)]]);
    const not = new Capture();
    wire({ ...base, kind: 'filter', name: 'f', predicate: (_k, v) => (v as number) % 2 === 0, negate: true }, not).process(batchOf(ROWS));
    expect(not.rows).toEqual([['a', 1, ...meta(0)], ['c', 3, ...meta(2)]]);
  });

  it('filter that keeps all, none, or some records across reused batches', () => {
    const c = new Capture();
    const op = wire({ ...base, kind: 'filter', name: 'f', predicate: (_k, v) => (v as number) > 0, negate: false }, c);
    op.process(batchOf(ROWS)); // all kept
    op.process(batchOf([['x', -1], ['y', -2]], 50)); // none kept: children are not called
    op.process(batchOf([['p', -1], ['q', 7]], 60)); // one kept
    expect(c.batchLengths).toEqual([4, 1]);
    expect(c.rows.map((r) => [r[0], r[3]])).toEqual([['a', 10], ['b', 11], ['c', 12], ['d', 13], ['q', 61]]);
  });

  it('map, selectKey, mapValues', () => {
    const m = new Capture();
    wire({ ...base, kind: 'map', name: 'm', mapper: (k, v) => [v, k] }, m).process(batchOf(ROWS.slice(0, 2)));
    expect(m.rows).toEqual([[1, 'a', ...meta(0)], [2, 'b', ...meta(1)]]);
    const s = new Capture();
    wire({ ...base, kind: 'selectKey', name: 's', selector: (k, v) => `${k}${v}` }, s).process(batchOf(ROWS.slice(0, 2)));
    expect(s.rows).toEqual([['a1', 1, ...meta(0)], ['b2', 2, ...meta(1)]]);
    const mv = new Capture();
    const op = wire({ ...base, kind: 'mapValues', name: 'mv', mapper: (v, k) => `${k}:${v}` }, mv);
    op.process(batchOf(ROWS));
    op.process(batchOf([['z', 9]], 99)); // a shorter batch after a longer one
    expect(mv.rows).toEqual([['a', 'a:1', ...meta(0)], ['b', 'b:2', ...meta(1)], ['c', 'c:3', ...meta(2)], ['d', 'd:4', ...meta(3)], ['z', 'z:9', 1000, 99, 'h0']]);
    expect(mv.batchLengths).toEqual([4, 1]);
  });

  it('flatMap and flatMapValues repeat the metadata of the input record for each output', () => {
    const fm = new Capture();
    wire({ ...base, kind: 'flatMap', name: 'fm', mapper: (k, v) => Array.from({ length: (v as number) - 1 }, (_, j) => [`${k}${j}`, j] as const) }, fm).process(batchOf(ROWS.slice(0, 3)));
    expect(fm.rows).toEqual([['b0', 0, ...meta(1)], ['c0', 0, ...meta(2)], ['c1', 1, ...meta(2)]]);
    const fv = new Capture();
    wire({ ...base, kind: 'flatMapValues', name: 'fv', mapper: (v) => ((v as number) === 1 ? [] : new Set([v, -(v as number)])) }, fv).process(batchOf(ROWS.slice(0, 2)));
    expect(fv.rows).toEqual([['b', 2, ...meta(1)], ['b', -2, ...meta(1)]]);
  });

  it('peek forwards the batch unchanged to every child; foreach is terminal', () => {
    const seen: unknown[] = [];
    const c1 = new Capture();
    const c2 = new Capture();
    wire({ ...base, kind: 'peek', name: 'p', action: (k) => seen.push(k) }, c1, c2).process(batchOf(ROWS.slice(0, 2)));
    expect(seen).toEqual(['a', 'b']);
    expect(c1.rows).toEqual(c2.rows);
    expect(c1.rows).toEqual([['a', 1, ...meta(0)], ['b', 2, ...meta(1)]]);
    const fe: unknown[] = [];
    wire({ ...base, kind: 'foreach', name: 'fe', action: (_k, v) => fe.push(v) }).process(batchOf(ROWS));
    expect(fe).toEqual([1, 2, 3, 4]);
  });

  it('branch routes to children by branch order, whatever order they were wired in', () => {
    const even = Object.assign(new Capture(), { name: 'even' });
    const rest = Object.assign(new Capture(), { name: 'rest' });
    const op = wire({ ...base, kind: 'branch', name: 'b', predicates: [(_k, v) => (v as number) % 2 === 0, () => true], branches: ['even', 'rest'] }, rest, even);
    op.process(batchOf(ROWS));
    expect(even.rows.map((r) => r[1])).toEqual([2, 4]);
    expect(rest.rows.map((r) => r[1])).toEqual([1, 3]);
    expect(rest.rows[1]).toEqual(['c', 3, ...meta(2)]);
  });
});

describe('operator errors', () => {
  const throwing = (at: unknown) => (_k: unknown, v: unknown) => {
    if (v === at) throw new Error(`no ${String(at)}`);
    return [[_k, v] as const];
  };

  it('name the node and the offset of the record that failed', () => {
    const op = wire({ ...base, kind: 'flatMap', name: 'explode', mapper: throwing(3) }, new Capture());
    expect(() => op.process(batchOf(ROWS))).toThrow(
      expect.objectContaining({
        code: 'PROCESSING',
        message: 'Processor "explode" failed on the record from topic "in", partition 0, offset 12: no 3',
        details: { node: 'explode', topic: 'in', partition: 0, offset: 12 },
      }),
    );
  });

  it('say "a punctuation" for records that come from one', () => {
    const op = wire({ ...base, kind: 'mapValues', name: 'mv', mapper: () => { throw new Error('x'); } }, new Capture());
    expect(() => op.process(batchOf(ROWS, -1, '', -1))).toThrow(/Processor "mv" failed on the record from a punctuation: x/);
  });

  it('an error already typed by a downstream node passes through unchanged', () => {
    const inner = wire({ ...base, kind: 'filter', name: 'inner', predicate: () => { throw new Error('typed'); }, negate: false });
    const outer = wire({ ...base, kind: 'mapValues', name: 'outer', mapper: (v) => v }, inner);
    let err: Error & { details?: Record<string, unknown> } = new Error();
    try {
      outer.process(batchOf(ROWS));
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.details?.node).toBe('inner');
    expect(err.message).toContain('"inner"');
    // peek calls its children outside its own error wrapping: the child's error is not re-attributed to "pk".
    expect(() => wire({ ...base, kind: 'peek', name: 'pk', action: () => {} }, new Failing()).process(batchOf(ROWS))).toThrow('child failed');
  });
});
