import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FetchBatch, LogConsumer } from '../../src/backend/backend-types.js';
import { consumeLoop } from '../../src/cli/consume-loop.js';
import { RecordFormatter } from '../../src/cli/record-formatter.js';
import { CaptureStream } from './cli-test-helpers.js';

function batch(partition: number, offsets: number[]): FetchBatch {
  return {
    topic: 't',
    partition,
    size: offsets.length,
    offsets,
    timestamps: offsets.map(() => 0),
    keys: offsets.map(() => null),
    values: offsets.map((o) => Buffer.from(`v${o}`)),
    headers: offsets.map(() => undefined),
    highWatermark: offsets[offsets.length - 1] + 1,
  };
}

/** A consumer that answers polls from a script, waiting `waitMs` on an empty answer (like maxWaitMs). */
function scripted(answers: FetchBatch[][], waitMs: number, onPoll?: (n: number) => void): LogConsumer & { polls: number } {
  const c = {
    polls: 0,
    async poll() {
      onPoll?.(c.polls);
      const next = answers[c.polls++] ?? [];
      if (next.length === 0) await new Promise((r) => setTimeout(r, waitMs));
      return next;
    },
    commit: async () => undefined,
  };
  return c as unknown as LogConsumer & { polls: number };
}

const io = () => ({ stdin: new PassThrough(), stdout: new CaptureStream(), stderr: new CaptureStream() });

describe('consumeLoop', () => {
  it('does not run the idle clock while a group member waits for its first assignment', async () => {
    let assigned = false;
    // Five empty polls (50 ms, longer than the 20 ms idle limit) before the group assigns partitions.
    const consumer = scripted([[], [], [], [], [], [batch(0, [0, 1])]], 10, (n) => (assigned = n >= 5));
    const out = io();
    const r = await consumeLoop(consumer, out, {
      topic: 't', stopAt: new Map([[0, 3]]), startAt: new Map([[0, 0]]), maxMessages: undefined,
      idleLimitMs: 20, commit: false, formatter: RecordFormatter.compile('%o', 'u'), pollMs: 10, assigned: () => assigned,
    });
    expect(out.stdout.text).toBe('0\n1\n');
    // Offset 2 never came (e.g. a transaction marker): it stops idle, short of the end.
    expect(r.reason).toBe('idle');
    expect(r.short).toEqual(new Map([[0, [2, 3]]]));
  });

  it('without a group, an idle limit shorter than the wait stops it', async () => {
    const consumer = scripted([[], [], [], [], [], [batch(0, [0, 1])]], 10);
    const out = io();
    const r = await consumeLoop(consumer, out, {
      topic: 't', stopAt: new Map([[0, 2]]), startAt: new Map([[0, 0]]), maxMessages: undefined,
      idleLimitMs: 20, commit: false, formatter: RecordFormatter.compile('%o', 'u'), pollMs: 10,
    });
    expect(r.reason).toBe('idle');
    expect(r.count).toBe(0);
  });

  it('commits the next offset after the last printed record of each partition, honouring --max-messages', async () => {
    const commits: unknown[] = [];
    const consumer = scripted([[batch(0, [5, 6, 7]), batch(1, [0, 1])]], 10);
    consumer.commit = async (o) => void commits.push(o);
    const out = io();
    const r = await consumeLoop(consumer, out, {
      topic: 't', stopAt: undefined, startAt: new Map(), maxMessages: 4,
      idleLimitMs: Infinity, commit: true, formatter: RecordFormatter.compile('%p:%o', 'u'), pollMs: 10,
    });
    expect(r).toMatchObject({ count: 4, reason: 'max-messages' });
    expect(out.stdout.text).toBe('0:5\n0:6\n0:7\n1:0\n');
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: 8 }, { topic: 't', partition: 1, offset: 1 }]]);
  });
});
