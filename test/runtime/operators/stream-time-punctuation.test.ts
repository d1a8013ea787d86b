import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Processor, ProcessorContext } from '../../../src/graph/processor-types.js';
import { Serdes } from '../../../src/serde/serdes.js';
import { decode, fetchBatch, taskFor } from './task-harness.js';

const S = Serdes.String();

/**
 * Kafka Streams checks stream-time punctuations after every record it processes. A task fed whole
 * fetched batches must do the same: records of one batch that cross several punctuation times
 * fire the punctuation after each crossing record, not once after the batch.
 */
describe('stream-time punctuations in a batch-fed StreamTask', () => {
  function topology(): ReturnType<StreamsBuilder['build']> {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', { keySerde: S, valueSerde: S });
    s.to('out', { keySerde: S, valueSerde: S });
    s.process((): Processor<string, string, string, string> => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init(c) {
          ctx = c;
          c.schedule(10, 'STREAM_TIME', (ts) => ctx.forward({ key: 'tick', value: String(ts), timestamp: ts, headers: undefined }));
        },
        process() {},
      };
    }).to('ticks', { keySerde: S, valueSerde: S });
    return b.build();
  }

  it('fires after each record that reaches a punctuation time, with the missed intervals skipped', () => {
    const h = taskFor(topology());
    const stamps = [3, 9, 10, 25, 37, 38, 5, 40];
    h.task.addRecords(fetchBatch('in', 0, 0, stamps.map((t) => ['k', 'v', t] as const), S, S));
    expect(h.task.process()).toBe(stamps.length);
    // The worked example of the TopologyTestDriver test (test/dsl/process.test.ts), one record at a time.
    expect(decode(h.sent, 'ticks', S, S).map(([, v, t]) => [v, t])).toEqual([
      ['3', 3],
      ['10', 10],
      ['25', 25],
      ['37', 37],
      ['40', 40],
    ]);
    // Each tick comes right after the record that fired it.
    expect(h.sent.map((r) => `${r.topic}@${r.timestamp}`)).toEqual(['out@3', 'ticks@3', 'out@9', 'out@10', 'ticks@10', 'out@25', 'ticks@25', 'out@37', 'ticks@37', 'out@38', 'out@5', 'out@40', 'ticks@40']);
  });
});
