import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Processor, ProcessorContext, PunctuationType, RecordMetadata } from '../../src/graph/processor-types.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.String();
const strings = { keySerde: S, valueSerde: S };
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** A topology "in" -> process(supplier) -> "out" (strings) and a driver for it. */
function withProcessor(supplier: () => Processor<string, string, string, string>, wallClockMs = 0) {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', strings).process(supplier, { name: 'proc' }).to('out', strings);
  driver = new TopologyTestDriver(b.build(), {}, wallClockMs);
  return { input: driver.createInputTopic('in', S, S), output: driver.createOutputTopic('out', S, S), driver };
}

describe('process() with a custom Processor', () => {
  it('init(ctx) runs once per task; process() sees key, value, timestamp, headers and record metadata', () => {
    const seen: unknown[] = [];
    let inits = 0;
    let ctx!: ProcessorContext<string, string>;
    const { input } = withProcessor(() => ({
      init(c) {
        inits++;
        ctx = c;
      },
      process(r) {
        const m = ctx.recordMetadata() as RecordMetadata;
        seen.push([r.key, r.value, r.timestamp, r.headers?.map((h) => `${h.key}=${h.value}`), m.topic, m.partition, m.offset, ctx.currentStreamTimeMs()]);
      },
    }));
    expect(inits).toBe(1);
    expect(ctx.applicationId).toBe('topology-test-driver');
    expect(ctx.taskId).toBe('0_0');
    input.pipeInput('a', 'x', 100, [{ key: 'h', value: Buffer.from('1') }]);
    input.pipeInput('b', 'y', 50);
    input.pipeInput('c', 'z', 120);
    expect(seen).toEqual([
      ['a', 'x', 100, ['h=1'], 'in', 0, 0, 100],
      ['b', 'y', 50, undefined, 'in', 0, 1, 100], // stream time never goes back
      ['c', 'z', 120, undefined, 'in', 0, 2, 120],
    ]);
  });

  it('forward() sends records with the timestamp and headers the processor chose', () => {
    const { input, output } = withProcessor(() => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init: (c) => (ctx = c),
        process(r) {
          // Emits the value once per character, 1 ms apart, tagged with the character's index.
          [...r.value].forEach((ch, i) => ctx.forward({ key: r.key, value: ch, timestamp: r.timestamp + i, headers: [{ key: 'i', value: Buffer.from(String(i)) }] }));
        },
      };
    });
    input.pipeInput('k', 'ab', 10);
    input.pipeInput('q', '', 20);
    input.pipeInput('m', 'c', 30);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp, r.headers![0].value!.toString()])).toEqual([
      ['k', 'a', 10, '0'],
      ['k', 'b', 11, '1'],
      ['m', 'c', 30, '0'],
    ]);
  });

  it('forward() reaches all children, or only the named one', () => {
    const b = new StreamsBuilder();
    const routed = b.stream<string, string>('in', strings).process<string, string>(() => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init: (c) => (ctx = c),
        process(r) {
          if (r.value.startsWith('!')) ctx.forward(r, 'alerts');
          else ctx.forward(r);
        },
      };
    });
    routed.filter(() => true, { name: 'alerts' }).to('alerts-out', strings);
    routed.mapValues((v) => v.toUpperCase(), { name: 'upper' }).to('upper-out', strings);
    driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['a', '!fire', 'b']) input.pipeInput('k', v, 1);
    expect(driver.createOutputTopic('alerts-out', S, S).readValuesToList()).toEqual(['a', '!fire', 'b']);
    expect(driver.createOutputTopic('upper-out', S, S).readValuesToList()).toEqual(['A', 'B']);
  });

  it('forward() to a name that is not a child is a PROCESSING error listing the children', () => {
    const { input } = withProcessor(() => {
      let ctx!: ProcessorContext<string, string>;
      return { init: (c) => (ctx = c), process: (r) => ctx.forward(r, 'nope') };
    });
    expect(() => input.pipeInput('k', 'v', 1)).toThrow(
      expect.objectContaining({ code: 'PROCESSING', message: expect.stringMatching(/"proc" forwarded to "nope".*KSTREAM-SINK-0000000001/) }),
    );
  });

  it('an exception in process() is PROCESSING naming node, topic, partition and offset; the driver goes on', () => {
    const { input, output } = withProcessor(() => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init: (c) => (ctx = c),
        process(r) {
          if (r.value === 'bad') throw new Error('cannot handle bad');
          ctx.forward(r);
        },
      };
    });
    input.pipeInput('k', 'ok1', 1);
    let err: Error & { code?: string; details?: Record<string, unknown>; cause?: unknown } = new Error('none');
    try {
      input.pipeInput('k', 'bad', 2);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('PROCESSING');
    expect(err.message).toBe('Processor "proc" failed on the record from topic "in", partition 0, offset 1: cannot handle bad');
    expect(err.details).toEqual({ node: 'proc', topic: 'in', partition: 0, offset: 1 });
    expect((err.cause as Error).message).toBe('cannot handle bad');
    // The failed record is consumed, as in Kafka's TopologyTestDriver.
    input.pipeInput('k', 'ok2', 3);
    expect(output.readValuesToList()).toEqual(['ok1', 'ok2']);
  });

  it('close() is called when the driver closes', () => {
    let closed = 0;
    const { driver: d } = withProcessor(() => ({ process() {}, close: () => closed++ }));
    d.close();
    d.close();
    expect(closed).toBe(1);
  });
});

describe('punctuations', () => {
  /** A processor that logs records and punctuations, and forwards a "tick" from each punctuation. */
  function ticking(interval: number, type: PunctuationType, log: string[]) {
    return (): Processor<string, string, string, string> => {
      let ctx!: ProcessorContext<string, string>;
      return {
        init(c) {
          ctx = c;
          c.schedule(interval, type, (ts) => {
            log.push(`punct@${ts}${ctx.recordMetadata() === undefined ? '' : '!meta'}`);
            ctx.forward({ key: 'tick', value: String(ts), timestamp: ts, headers: undefined });
          });
        },
        process(r) {
          log.push(`rec@${r.timestamp}`);
        },
      };
    };
  }

  it('STREAM_TIME: aligned to 0, fired by the first record, after it; missed intervals are skipped', () => {
    const log: string[] = [];
    const { input, output } = withProcessor(ticking(10, 'STREAM_TIME', log));
    expect(log).toEqual([]); // no record yet: stream time is unknown
    for (const ts of [3, 9, 10, 25, 37, 38, 5, 40]) input.pipeInput('k', 'v', ts);
    // 3 fires (first record, schedule aligned to 0); next due 10. 25 fires for 20 (next 30);
    // 37 fires once for 30 (next 40). A late record (5) does not move stream time back.
    expect(log).toEqual(['rec@3', 'punct@3', 'rec@9', 'rec@10', 'punct@10', 'rec@25', 'punct@25', 'rec@37', 'punct@37', 'rec@38', 'rec@5', 'rec@40', 'punct@40']);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['tick', '3', 3],
      ['tick', '10', 10],
      ['tick', '25', 25],
      ['tick', '37', 37],
      ['tick', '40', 40],
    ]);
  });

  it('STREAM_TIME does not move with the wall clock', () => {
    const log: string[] = [];
    const { input, driver: d } = withProcessor(ticking(10, 'STREAM_TIME', log));
    input.pipeInput('k', 'v', 1);
    d.advanceWallClockTime(1000);
    expect(log).toEqual(['rec@1', 'punct@1']);
  });

  it('WALL_CLOCK_TIME: first one interval after init, driven by advanceWallClockTime, missed intervals skipped', () => {
    const log: string[] = [];
    const { input, output, driver: d } = withProcessor(ticking(100, 'WALL_CLOCK_TIME', log), 1000);
    input.pipeInput('k', 'v', 5000); // records do not drive wall-clock punctuation
    d.advanceWallClockTime(50);
    d.advanceWallClockTime(50); // 1100
    d.advanceWallClockTime(250); // 1350: 1200 and 1300 were missed, one call
    d.advanceWallClockTime(49); // 1399
    d.advanceWallClockTime(1); // 1400
    expect(log).toEqual(['rec@5000', 'punct@1100', 'punct@1350', 'punct@1400']);
    expect(output.readValuesToList()).toEqual(['1100', '1350', '1400']);
  });

  it('currentSystemTimeMs() reads the driver’s virtual clock; cancel() stops a schedule', () => {
    const times: number[] = [];
    let ctx!: ProcessorContext<string, string>;
    const { input, driver: d } = withProcessor(() => ({
      init(c) {
        ctx = c;
        let fired = 0;
        const handle = c.schedule(10, 'WALL_CLOCK_TIME', (ts) => {
          times.push(ts);
          if (++fired === 2) handle.cancel();
        });
      },
      process() {
        times.push(-ctx.currentSystemTimeMs());
      },
    }), 500);
    input.pipeInput('k', 'v', 1);
    for (let i = 0; i < 5; i++) d.advanceWallClockTime(10);
    expect(times).toEqual([-500, 510, 520]);
  });

  it('an interval under 1 ms is refused', () => {
    expect(() => withProcessor(() => ({ init: (c) => void c.schedule(0, 'STREAM_TIME', () => {}), process() {} }))).toThrow(
      expect.objectContaining({ code: 'PROCESSING', message: expect.stringContaining('"proc"') }),
    );
  });

  it('an exception in a punctuator is PROCESSING naming the node and the punctuation', () => {
    const { input, driver: d } = withProcessor(() => ({
      init: (c) =>
        void c.schedule(10, 'WALL_CLOCK_TIME', () => {
          throw new Error('flush failed');
        }),
      process() {},
    }));
    expect(() => d.advanceWallClockTime(10)).toThrow(
      expect.objectContaining({ code: 'PROCESSING', details: { node: 'proc', punctuation: 'WALL_CLOCK_TIME', timestamp: 10 }, message: expect.stringContaining('flush failed') }),
    );
    input.pipeInput('k', 'v', 1); // still usable
  });
});
