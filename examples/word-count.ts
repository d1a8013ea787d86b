/**
 * Word count, the "hello world" of stream processing:
 *
 *   text-lines (key: any, value: a line) -> flatMapValues(words) -> groupBy(word) -> count()
 *     -> word-counts (key: word, value: count as a Long)
 *
 * The count lives in a LevelDB store backed by the changelog topic
 * `word-count-counts-changelog`; grouping by the word repartitions through
 * `word-count-counts-repartition`, so each word is counted by exactly one task.
 *
 * Run it: npx tsx src/cli/main.ts run examples/word-count.ts   (after creating the topics)
 */
import { Serdes, StreamsBuilder, type Topology } from '../src/index.js';

export const config = {
  'application.id': 'word-count',
  'commit.interval.ms': 1000,
};

export function buildTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .count({ storeName: 'counts' })
    .toStream()
    .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
  return builder.build();
}
