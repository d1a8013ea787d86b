import { addAbortSignal } from 'node:stream';
import type { LogProducer, ProducerRecord } from '../backend/backend-types.js';
import { isStreamwrightError, StreamwrightError } from '../errors/streamwright-error.js';
import { booleanOption, expectPositionals, intOption, stringOption, usageError } from './cli-args.js';
import { withBackend } from './cli-backend.js';
import type { CommandContext, CommandSpec } from './cli-command.js';
import { note } from './cli-io.js';
import { BatchSender, MAX_BATCH_RECORDS } from './batch-sender.js';
import { LineRecordEncoder } from './line-record-encoder.js';
import { LineSplitter } from './line-splitter.js';

const USAGE = 'streamwright produce TOPIC [--key-separator SEP] [--partition N] [--json] [--timestamp-field FIELD]';


export const produceCommand: CommandSpec = {
  path: ['produce'],
  summary: 'Send stdin lines to a topic, one record per line.',
  usage: USAGE,
  details: `Reads lines from stdin until end of input (Ctrl-D) and sends each as a record. Lines are sent
in batches, as Kafka's producer does: while one send is in flight, the lines read meanwhile form the
next (up to ${MAX_BATCH_RECORDS} records); a line typed interactively goes out at once. The count of
records produced is printed to stderr at the end.
Arguments:
  TOPIC                    An existing topic.
Options:
  --key-separator SEP      Split each line at the first SEP into key and value (e.g. ':').
                           A line without SEP is an error. Without this flag keys are null.
  --partition N            Send every record to partition N (default: Kafka's partitioner,
                           murmur2 of the key, spreading null keys).
  --json                   Require each value to be valid JSON; a bad line is reported by number.
  --timestamp-field FIELD  With --json: take each record's timestamp from this top-level field
                           (epoch milliseconds or an ISO-8601 string). Default: the current time.
If a line is rejected, every earlier line has been produced and nothing from that line on is sent;
the error says how many records were produced. Ctrl-C sends the complete lines read so far and stops.`,
  options: {
    'key-separator': { type: 'string' },
    partition: { type: 'string' },
    json: { type: 'boolean' },
    'timestamp-field': { type: 'string' },
  },
  run: produce,
};

async function produce(ctx: CommandContext): Promise<number> {
  const [topic] = expectPositionals(ctx.positionals, ['topic'], USAGE);
  const keySeparator = stringOption(ctx.values, 'key-separator');
  if (keySeparator === '') throw usageError('--key-separator must not be empty.', USAGE);
  const partition = intOption(ctx.values, 'partition', 0, USAGE);
  const json = booleanOption(ctx.values, 'json');
  const timestampField = stringOption(ctx.values, 'timestamp-field');
  if (timestampField !== undefined && !json) throw usageError('--timestamp-field needs --json: timestamps are read from JSON values.', USAGE);
  const encoder = new LineRecordEncoder({ topic, partition, keySeparator, json, timestampField });

  const { produced, stopped } = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => {
    const admin = backend.admin();
    try {
      const [d] = await admin.describeTopics([topic]);
      if (partition !== undefined && partition >= d.partitions) {
        throw new StreamwrightError('PARTITION_NOT_FOUND', `Topic "${topic}" has ${d.partitions} partition${d.partitions === 1 ? '' : 's'} (0..${d.partitions - 1}); --partition ${partition} does not exist. Pick one of those or omit --partition.`, { topic, partition, partitions: d.partitions });
      }
    } finally {
      await admin.close();
    }
    const producer = backend.producer({ clientId: 'streamwright-cli-producer' });
    try {
      return await pump(ctx, producer, encoder);
    } finally {
      await producer.close();
    }
  });
  note(ctx.io, `${stopped ? 'Stopped by signal; produced' : 'Produced'} ${produced} record${produced === 1 ? '' : 's'} to topic "${topic}".`);
  return 0;
}

/** Sends stdin; a failed send says how many lines were acknowledged before it, so the rest can be resent. */
async function pump(ctx: CommandContext, producer: LogProducer, encoder: LineRecordEncoder): Promise<{ produced: number; stopped: boolean }> {
  const sender = new BatchSender(producer);
  try {
    return await pumpLines(ctx, sender, encoder);
  } catch (e) {
    if (!isStreamwrightError(e) || typeof e.details.line === 'number') throw e;
    const n = sender.produced;
    const done = n === 0 ? 'No line was acknowledged before the failure.' : `${n === 1 ? 'Line 1 was' : `Lines 1-${n} were`} produced (acknowledged) before the failure; later lines may or may not have been written, so resending from line ${n + 1} can duplicate some.`;
    throw new StreamwrightError(e.code, `${e.message} ${done}`, { ...e.details, produced: n }, { cause: e });
  }
}

/** Reads stdin chunk by chunk, encodes complete lines and hands them to the sender. */
async function pumpLines(ctx: CommandContext, sender: BatchSender, encoder: LineRecordEncoder): Promise<{ produced: number; stopped: boolean }> {
  const splitter = new LineSplitter();
  let lineNo = 0;
  /** A bad line: everything before it is sent and acknowledged, then the error says so. */
  const addLines = async (lines: readonly string[], now: number): Promise<void> => {
    for (let i = 0; i < lines.length; i++) {
      lineNo++;
      let record: ProducerRecord;
      try {
        record = encoder.encode(lines[i], lineNo, now);
      } catch (e) {
        await sender.drain();
        throw withProgress(e, lineNo, sender.produced);
      }
      sender.add(record);
      if (sender.full) await sender.pump();
    }
    await sender.pump();
  };

  const signal = ctx.io.signal;
  if (signal?.aborted) return { produced: 0, stopped: true };
  const input = signal ? addAbortSignal(signal, ctx.io.stdin) : ctx.io.stdin;
  try {
    for await (const chunk of input) await addLines(splitter.push(chunk as Buffer | string), Date.now());
  } catch (e) {
    if (!(signal?.aborted && (e as Error).name === 'AbortError')) throw e;
    await sender.drain();
    if (splitter.hasPartial) note(ctx.io, 'The unfinished last line (no newline yet) was not sent.');
    return { produced: sender.produced, stopped: true };
  }
  const last = splitter.end();
  if (last !== undefined) await addLines([last], Date.now());
  await sender.drain();
  return { produced: sender.produced, stopped: false };
}

function withProgress(e: unknown, lineNo: number, produced: number): unknown {
  if (!isStreamwrightError(e)) return e;
  const before = lineNo === 2 ? 'Line 1 was' : `Lines 1-${lineNo - 1} were`;
  const done = lineNo === 1 ? 'Nothing was sent.' : `${before} produced (${produced} record${produced === 1 ? '' : 's'}); nothing from line ${lineNo} on was sent.`;
  return new StreamwrightError(e.code, `${e.message} ${done}`, { ...e.details, produced });
}
