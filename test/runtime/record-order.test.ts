import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../src/dsl/join-windows.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { GraphNode } from '../../src/graph/graph-node.js';
import { Serdes } from '../../src/serde/serdes.js';
import { recordOrderSources } from '../../src/runtime/record-order.js';

const S = Serdes.String();
const ints = { keySerde: S, valueSerde: Serdes.Int() };

/** A node as plain data; recordOrderSources() reads only kind, name, parents, stores and a sink's topic. */
function n(kind: string, name: string, parents: string[] = [], stores: string[] = [], topic?: string): GraphNode {
  return { kind, name, parents, stores, ...(kind === 'sink' ? { topic } : {}) } as unknown as GraphNode;
}

const sourcesOf = (b: StreamsBuilder) => {
  const topology = b.build();
  const nodes = topology.nodes;
  /** As StreamTask asks: a store without a record cache never forwards on another node's access. */
  const cached = (store: string) => topology.store(store)?.caching !== false;
  return { nodes, cached, names: nodes.filter((x) => x.kind === 'source').map((x) => x.name) };
};

describe('recordOrderSources(): which sources must feed one record at a time', () => {
  it('a stream–table join batches both sources: the table source and the join share the store, but no record reaches both', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('bids', ints).join(b.table<string, number>('auctions', ints), (x, y) => x + y).to('out', ints);
    expect(recordOrderSources(sourcesOf(b).nodes)).toEqual(new Set());
  });

  it('a stream joined with a table aggregated from the same stream: its records reach both store users', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, number>('in', ints);
    s.join(s.groupByKey().reduce((_old, v) => v), (x, y) => x + y).to('out', ints);
    const { nodes, names } = sourcesOf(b);
    expect(recordOrderSources(nodes)).toEqual(new Set(names));
  });

  it('a merge needs record order only for a source that can feed two of its parents in one run', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('x', ints).merge(b.stream<string, number>('y', ints)).to('out', ints);
    expect(recordOrderSources(sourcesOf(b).nodes)).toEqual(new Set());
    // One source split into two branches that merge again: its records interleave across the branches.
    const split = new StreamsBuilder();
    const s = split.stream<string, number>('x', ints);
    s.filter((_k, v) => v > 0).merge(s.filter((_k, v) => v <= 0)).to('out', ints);
    split.stream<string, number>('y', ints).to('other', ints);
    expect(recordOrderSources(sourcesOf(split).nodes)).toEqual(new Set(['KSTREAM-SOURCE-0000000000']));
  });

  it('a stream–stream join batches both sides; a self-join goes record at a time', () => {
    const b = new StreamsBuilder();
    b.stream<string, number>('x', ints)
      .join(b.stream<string, number>('y', ints), (l, r) => l + r, JoinWindows.ofTimeDifferenceWithNoGrace(10), { keySerde: S, valueSerde: Serdes.Int(), otherValueSerde: Serdes.Int() })
      .to('out', ints);
    const join = sourcesOf(b);
    expect(recordOrderSources(join.nodes, join.cached)).toEqual(new Set());
    // Counting the uncached join buffers as cached would make the other side's operator an emitter.
    expect(recordOrderSources(join.nodes)).toEqual(new Set(join.names));
    const self = new StreamsBuilder();
    const x = self.stream<string, number>('x', ints);
    x.join(x, (l, r) => l + r, JoinWindows.ofTimeDifferenceWithNoGrace(10), { keySerde: S, valueSerde: Serdes.Int(), otherValueSerde: Serdes.Int() }).to('out', ints);
    const { nodes, names, cached } = sourcesOf(self);
    expect(recordOrderSources(nodes, cached)).toEqual(new Set(names));
  });

  it('two sinks to one topic or a custom Processor make the sources that reach them go record at a time', () => {
    const t = new StreamsBuilder();
    const x = t.stream<string, number>('x', ints);
    x.to('out', ints);
    x.mapValues((v) => v + 1).to('out', ints);
    t.stream<string, number>('y', ints).to('out', ints);
    expect(recordOrderSources(sourcesOf(t).nodes)).toEqual(new Set(['KSTREAM-SOURCE-0000000000']));
    const p = new StreamsBuilder();
    p.stream<string, number>('x', ints).process(() => ({ process: () => undefined }));
    p.stream<string, number>('y', ints).to('out', ints);
    const processed = sourcesOf(p);
    expect(recordOrderSources(processed.nodes)).toEqual(new Set([processed.names[0]]));
  });

  it('a source reaches what a store evicts into: the table source’s children count for the stream side', () => {
    // bids -> join(reads S) -> y(uses S2); auctions -> table(writes S) -> x(uses S2). A read of S by
    // the join may evict an entry, and S's flush listener (the table source) forwards it to x.
    const nodes = [
      n('source', 'bids'), n('stream-table-join', 'join', ['bids'], ['S']), n('aggregate', 'y', ['join'], ['S2']),
      n('source', 'auctions'), n('table-source', 'table', ['auctions'], ['S']), n('aggregate', 'x', ['table'], ['S2']),
    ];
    expect(recordOrderSources(nodes)).toEqual(new Set(['bids', 'auctions']));
    // Without the second shared store, neither source needs record order.
    const apart = nodes.map((x) => (x.name === 'y' ? n('aggregate', 'y', ['join'], ['S3']) : x));
    expect(recordOrderSources(apart)).toEqual(new Set());
  });
});
