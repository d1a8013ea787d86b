import { describe, expect, it } from 'vitest';
import { isStreamwrightError, type ErrorCode } from '../../src/errors/streamwright-error.js';
import { GraphBuilder } from '../../src/graph/graph-builder.js';
import type { GraphNode } from '../../src/graph/graph-node.js';
import { Topology } from '../../src/graph/topology.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';

function failure(fn: () => unknown, code: ErrorCode): Error & { details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    expect(isStreamwrightError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
    return e as Error & { details: Record<string, unknown> };
  }
  throw new Error(`expected ${code}`);
}

const source = (name: string, topic: string): GraphNode => ({ kind: 'source', name, parents: [], stores: [], topics: [topic], internal: false });
const pass = (name: string, ...parents: string[]): GraphNode => ({ kind: 'passthrough', name, parents, stores: [] });

describe('duplicate names', () => {
  it('two operators with the same user name are TOPOLOGY_DUPLICATE_NAME', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in');
    s.filter(() => true, { name: 'step' });
    const e = failure(() => s.mapValues((v) => v, { name: 'step' }), 'TOPOLOGY_DUPLICATE_NAME');
    expect(e.message).toContain('"step"');
    expect(e.details.name).toBe('step');
  });

  it('a user name equal to a generated one also clashes', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in');
    failure(() => s.to('out', { name: 'KSTREAM-SOURCE-0000000000' }), 'TOPOLOGY_DUPLICATE_NAME');
    // The sink was refused and nothing else changed.
    expect(b.build().nodes.map((n) => n.name)).toEqual(['KSTREAM-SOURCE-0000000000']);
  });

  it('an empty user name is TOPOLOGY_INVALID', () => {
    const b = new StreamsBuilder();
    failure(() => b.stream('in').filter(() => true, { name: '' }), 'TOPOLOGY_INVALID');
  });

  it('a hand-built Topology with a repeated name is refused too', () => {
    failure(() => new Topology([source('s', 't'), pass('s')], [], []), 'TOPOLOGY_DUPLICATE_NAME');
  });
});

describe('topics', () => {
  it('a topic read by two sources is TOPOLOGY_INVALID naming the topic and both sources', () => {
    const b = new StreamsBuilder();
    b.stream(['a', 'shared']);
    b.stream('shared', { name: 'second' });
    const e = failure(() => b.build(), 'TOPOLOGY_INVALID');
    expect(e.message).toContain('"shared"');
    expect(e.message).toContain('KSTREAM-SOURCE-0000000000');
    expect(e.message).toContain('"second"');
  });

  const bad = ['', 'has space', 'slash/es', 'colon:x', 'ünï', '.', '..', 'x'.repeat(250)];
  it.each(bad)('stream(%j) is TOPIC_INVALID_NAME', (name) => {
    const e = failure(() => new StreamsBuilder().stream(name), 'TOPIC_INVALID_NAME');
    expect(e.details.topic).toBe(name);
  });

  it('to() and multi-topic stream() validate names too; legal edge cases pass', () => {
    const b = new StreamsBuilder();
    failure(() => b.stream(['ok', 'not ok']), 'TOPIC_INVALID_NAME');
    const s = b.stream(['x'.repeat(249), 'a.b_c-D9', '...']);
    failure(() => s.to('bad topic'), 'TOPIC_INVALID_NAME');
    s.to('fine');
    expect(b.build().nodes.map((n) => n.kind)).toEqual(['source', 'sink']);
  });

  it('stream() of an empty topic list is TOPOLOGY_INVALID', () => {
    failure(() => new StreamsBuilder().stream([]), 'TOPOLOGY_INVALID');
  });

  it('a repartition() name that cannot make a topic name is TOPIC_INVALID_NAME at definition', () => {
    const s = new StreamsBuilder().stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
    const e = failure(() => s.repartition({ name: 'by user' }), 'TOPIC_INVALID_NAME');
    expect(e.message).toContain('by user-repartition');
  });
});

describe('graph shape', () => {
  it('GraphBuilder refuses an unknown parent (TOPOLOGY_UNKNOWN_NODE), so it can only grow a DAG', () => {
    const g = new GraphBuilder();
    g.addNode(source('s', 't'));
    const e = failure(() => g.addNode(pass('p', 's', 'ghost')), 'TOPOLOGY_UNKNOWN_NODE');
    expect(e.message).toContain('"p"');
    expect(e.message).toContain('"ghost"');
    // A self-loop is a reference to a node that does not exist yet.
    failure(() => g.addNode(pass('self', 'self')), 'TOPOLOGY_UNKNOWN_NODE');
    failure(() => g.node('nope'), 'TOPOLOGY_UNKNOWN_NODE');
  });

  it('a cyclic graph handed to Topology is TOPOLOGY_CYCLE naming the loop', () => {
    const nodes = [source('s', 't'), pass('a', 's', 'c'), pass('b', 'a'), pass('c', 'b')];
    const e = failure(() => new Topology(nodes, [], []), 'TOPOLOGY_CYCLE');
    expect(e.details.cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(e.message).toContain('a -> b -> c -> a');
    failure(() => new Topology([source('s', 't'), pass('loop', 's', 'loop')], [], []), 'TOPOLOGY_CYCLE');
  });

  it('a hand-built Topology with a dangling parent is TOPOLOGY_UNKNOWN_NODE, not a crash', () => {
    const e = failure(() => new Topology([source('s', 't'), pass('p', 'ghost')], [], []), 'TOPOLOGY_UNKNOWN_NODE');
    expect(e.details).toEqual({ name: 'p', parent: 'ghost' });
  });

  it('an empty topology is TOPOLOGY_INVALID and says what to add', () => {
    const e = failure(() => new StreamsBuilder().build(), 'TOPOLOGY_INVALID');
    expect(e.message).toContain('builder.stream(');
  });

  it('a processor naming an undefined store is STATE_STORE', () => {
    const b = new StreamsBuilder();
    b.stream('in').process(() => ({ process() {} }), { stores: ['missing'] });
    const e = failure(() => b.build(), 'STATE_STORE');
    expect(e.message).toContain('"missing"');
  });

  it('the built graph is frozen plain data; the builder stays usable', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in');
    s.to('out');
    const first = b.build();
    expect(Object.isFrozen(first.nodes)).toBe(true);
    expect(Object.isFrozen(first.nodes[0])).toBe(true);
    s.to('out2');
    expect(first.nodes.length).toBe(2);
    expect(b.build().nodes.length).toBe(3);
  });
});

describe('sub-topologies', () => {
  it('split at repartition topics and joined by shared stores, numbered in creation order', () => {
    const b = new StreamsBuilder();
    b.graph.addStore({ name: 'shared', type: 'keyValue', persistent: false, logging: false, loggingConfig: {}, caching: false });
    const strings = { keySerde: Serdes.String(), valueSerde: Serdes.String() };
    const a = b.stream('a', strings);
    const other = b.stream('b', strings);
    other.to('b-out');
    a.repartition({ name: 'r' }).to('r-out');
    // Two separate sources joined only through a store end up in one sub-topology.
    b.stream('c').process(() => ({ process() {} }), { name: 'pc', stores: ['shared'] });
    b.stream('d').process(() => ({ process() {} }), { name: 'pd', stores: ['shared'] });
    const t = b.build();
    const subs = t.subtopologies.map((s) => ({ id: s.id, nodes: s.nodes.map((n) => n.name), src: s.sourceTopics, internal: s.internalSourceTopics, sinks: s.sinkTopics, stores: s.stores }));
    expect(subs).toEqual([
      { id: 0, nodes: ['KSTREAM-SOURCE-0000000000', 'r-repartition-sink'], src: ['a'], internal: [], sinks: ['r-repartition'], stores: [] },
      { id: 1, nodes: ['KSTREAM-SOURCE-0000000001', 'KSTREAM-SINK-0000000002'], src: ['b'], internal: [], sinks: ['b-out'], stores: [] },
      { id: 2, nodes: ['r-repartition-source', 'KSTREAM-SINK-0000000003'], src: [], internal: ['r-repartition'], sinks: ['r-out'], stores: [] },
      { id: 3, nodes: ['KSTREAM-SOURCE-0000000004', 'pc', 'KSTREAM-SOURCE-0000000005', 'pd'], src: ['c', 'd'], internal: [], sinks: [], stores: ['shared'] },
    ]);
    expect(t.subtopologyOfSource('r-repartition')?.id).toBe(2);
    expect(t.subtopologyOfSource('d')?.id).toBe(3);
    expect(t.subtopologyOfSource('nope')).toBeUndefined();
  });
});
