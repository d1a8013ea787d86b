import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';

// Expected strings are written by hand in the shape of Kafka Streams' TopologyDescription.toString():
// "Topologies:\n " then "  Sub-topology: <id>\n" per sub-topology (so the first reads "   Sub-topology: 0"
// and later ones "  Sub-topology: 1"), nodes indented 4, arrows 6, a blank line after each sub-topology.
// Nodes are ordered by the size of their sub-tree (largest first), then by name.

const strings = { keySerde: Serdes.String(), valueSerde: Serdes.String() };

describe('describe() text', () => {
  it('source -> filter -> sink with generated names', () => {
    const b = new StreamsBuilder();
    b.stream('input').filter((_k, v) => v !== null).to('output');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-FILTER-0000000001\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000002 (topic: output)\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '\n',
    );
  });

  it('generated names follow Kafka prefixes and one counter per builder', () => {
    const b = new StreamsBuilder();
    b.stream('in')
      .filterNot(() => false)
      .map((k, v) => [k, v] as const)
      .mapValues((v) => v)
      .selectKey((k) => k)
      .flatMap((k, v) => [[k, v] as const])
      .flatMapValues((v) => [v])
      .peek(() => {})
      .foreach(() => {});
    const names = b.build().nodes.map((n) => n.name);
    expect(names).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-FILTER-0000000001',
      'KSTREAM-MAP-0000000002',
      'KSTREAM-MAPVALUES-0000000003',
      'KSTREAM-KEY-SELECT-0000000004',
      'KSTREAM-FLATMAP-0000000005',
      'KSTREAM-FLATMAPVALUES-0000000006',
      'KSTREAM-PEEK-0000000007',
      'KSTREAM-FOREACH-0000000008',
    ]);
    // A second builder starts again at 0: names are deterministic per topology.
    const b2 = new StreamsBuilder();
    b2.stream('in').to('out');
    expect(b2.build().nodes.map((n) => n.name)).toEqual(['KSTREAM-SOURCE-0000000000', 'KSTREAM-SINK-0000000001']);
  });

  it('user names replace generated ones without using up a counter value', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', { name: 'left-source' });
    const right = b.stream('right');
    left.merge(right).mapValues((v) => v, { name: 'upper' }).to('out');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [right])\n' +
        '      --> KSTREAM-MERGE-0000000001\n' +
        '    Source: left-source (topics: [left])\n' +
        '      --> KSTREAM-MERGE-0000000001\n' +
        '    Processor: KSTREAM-MERGE-0000000001 (stores: [])\n' +
        '      --> upper\n' +
        '      <-- KSTREAM-SOURCE-0000000000, left-source\n' +
        '    Processor: upper (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000002\n' +
        '      <-- KSTREAM-MERGE-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000002 (topic: out)\n' +
        '      <-- upper\n' +
        '\n',
    );
  });

  it('orders siblings by sub-tree size, then by name', () => {
    const b = new StreamsBuilder();
    const s = b.stream('events');
    s.filter(() => true).to('kept');
    s.peek(() => {}).mapValues((v) => v).to('mapped');
    s.foreach(() => {});
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [events])\n' +
        '      --> KSTREAM-PEEK-0000000003, KSTREAM-FILTER-0000000001, KSTREAM-FOREACH-0000000006\n' +
        '    Processor: KSTREAM-PEEK-0000000003 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KSTREAM-PEEK-0000000003\n' +
        '    Processor: KSTREAM-FOREACH-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000002 (topic: kept)\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: mapped)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000004\n' +
        '\n',
    );
  });

  it('a repartition topic splits the graph into two sub-topologies', () => {
    const b = new StreamsBuilder();
    b.stream('clicks', strings)
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-user', keySerde: Serdes.String() })
      .filter(() => true)
      .to('clicks-by-user');
    const topology = b.build();
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [clicks])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> by-user-repartition-sink\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: by-user-repartition-sink (topic: by-user-repartition)\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: by-user-repartition-source (topics: [by-user-repartition])\n' +
        '      --> KSTREAM-FILTER-0000000002\n' +
        '    Processor: KSTREAM-FILTER-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- by-user-repartition-source\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: clicks-by-user)\n' +
        '      <-- KSTREAM-FILTER-0000000002\n' +
        '\n',
    );
    expect(topology.internalTopics).toEqual([{ name: 'by-user-repartition', role: 'repartition', partitions: undefined, config: { 'cleanup.policy': 'delete' } }]);
  });

  it('an unnamed repartition() uses a generated KSTREAM-REPARTITION name for its topic', () => {
    const b = new StreamsBuilder();
    b.stream('in', strings).repartition().to('out');
    const text = b.build().describe().toString();
    expect(text).toContain('    Sink: KSTREAM-REPARTITION-0000000001-repartition-sink (topic: KSTREAM-REPARTITION-0000000001-repartition)\n');
    expect(text).toContain('  Sub-topology: 1\n    Source: KSTREAM-REPARTITION-0000000001-repartition-source (topics: [KSTREAM-REPARTITION-0000000001-repartition])\n');
  });

  it('pattern sources, several topics, stores and topic extractors', () => {
    const b = new StreamsBuilder();
    b.graph.addStore({ name: 'counts', type: 'keyValue', persistent: false, logging: false, loggingConfig: {}, caching: false });
    b.stream(/sensor-.*/)
      .process(() => ({ process() {} }), { name: 'counter', stores: ['counts'] })
      .to(() => 'routed');
    b.stream(['a', 'b'], { name: 'ab' }).foreach(() => {}, { name: 'print' });
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: sensor-.*)\n' +
        '      --> counter\n' +
        '    Processor: counter (stores: [counts])\n' +
        '      --> KSTREAM-SINK-0000000001\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000001 (extractor class: TopicNameExtractor)\n' +
        '      <-- counter\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: ab (topics: [a, b])\n' +
        '      --> print\n' +
        '    Processor: print (stores: [])\n' +
        '      --> none\n' +
        '      <-- ab\n' +
        '\n',
    );
  });

  it('split() branches appear as named children of the branch processor', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in')
      .split({ name: 'route-' })
      .branch((_k, v) => v === 'a', { name: 'a' })
      .defaultBranch({ name: 'other' });
    branches.get('route-a')!.to('out-a');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> route-\n' +
        '    Processor: route- (stores: [])\n' +
        '      --> route-a, route-other\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: route-a (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000001\n' +
        '      <-- route-\n' +
'    Sink: KSTREAM-SINK-0000000001 (topic: out-a)\n' +
        '      <-- route-a\n' +
        '    Processor: route-other (stores: [])\n' +
        '      --> none\n' +
        '      <-- route-\n' +
        '\n',
    );
  });
});

describe('describe() JSON form', () => {
  it('toJSON() carries the same facts as data, and JSON.stringify uses it', () => {
    const b = new StreamsBuilder();
    b.stream('input').filter(() => true, { name: 'keep' }).to('output', { name: 'write' });
    const d = b.build().describe();
    const expected = {
      subtopologies: [
        {
          id: 0,
          nodes: [
            { name: 'KSTREAM-SOURCE-0000000000', type: 'Source', kind: 'source', topics: ['input'], stores: [], successors: ['keep'], predecessors: [] },
            { name: 'keep', type: 'Processor', kind: 'filter', stores: [], successors: ['write'], predecessors: ['KSTREAM-SOURCE-0000000000'] },
            { name: 'write', type: 'Sink', kind: 'sink', topic: 'output', stores: [], successors: [], predecessors: ['keep'] },
          ],
        },
      ],
    };
    expect(d.toJSON()).toEqual(expected);
    expect(JSON.parse(JSON.stringify(d))).toEqual(expected);
    expect(d.subtopologies).toEqual(expected.subtopologies);
  });

  it('a pattern source reports topicPattern, an extractor sink has no topic', () => {
    const b = new StreamsBuilder();
    b.stream(/logs-\d+/).to(() => 'x');
    const [src, sink] = b.build().describe().toJSON().subtopologies[0].nodes;
    expect(src.topicPattern).toBe('logs-\\d+');
    expect(src.topics).toBeUndefined();
    expect(sink.type).toBe('Sink');
    expect(sink.topic).toBeUndefined();
  });
});
