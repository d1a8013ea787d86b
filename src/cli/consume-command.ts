import type { Backend, IsolationLevel, LogAdmin, LogConsumer, PartitionOffsets } from '../backend/backend-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { booleanOption, expectPositionals, intOption, stringOption, usageError, type OptionValues } from './cli-args.js';
import { withBackend } from './cli-backend.js';
import type { CommandContext, CommandSpec } from './cli-command.js';
import { note } from './cli-io.js';
import { consumeLoop, type ConsumeResult } from './consume-loop.js';
import { DEFAULT_FORMAT, FORMAT_HELP, PRINT_KEY_FORMAT, RecordFormatter } from './record-formatter.js';

const USAGE =
  'streamwright consume TOPIC [--from-beginning] [--follow] [--max-messages N] [--group G] [--partition N] [--offset N|earliest|latest] [--isolation read_committed|read_uncommitted] [--format FMT | --print-key] [--timeout-ms N]';

const GROUP_SESSION_TIMEOUT_MS = 10_000;

/** How long an idle consumer without --follow waits for records short of the end offsets. */
const END_GRACE_MS = { embedded: 500, kafka: 10_000 } as const;

export const consumeCommand: CommandSpec = {
  path: ['consume'],
  summary: 'Print records of a topic to stdout.',
  usage: USAGE,
  details: `Prints one line per record (the value by default, like kafka-console-consumer) and the total to stderr.
Without --follow it stops at the end offsets the topic had when the command started; with --follow
it keeps waiting for new records. Ctrl-C stops cleanly.
Arguments:
  TOPIC                   An existing topic.
Options:
  --from-beginning        Start at the earliest offset (default: the end, i.e. only new records; with
                          --group it applies when the group has no committed offset).
  --follow                Keep reading new records until Ctrl-C (or --max-messages / --timeout-ms).
  --max-messages N        Stop after N records.
  --group G               Read as a member of consumer group G: start from its committed offsets and
                          commit what was printed. Not with --partition / --offset.
  --partition N           Read only partition N.
  --offset N              With --partition: start at offset N, or 'earliest' / 'latest'.
  --isolation LEVEL       read_uncommitted (default) or read_committed (hide open and aborted transactions).
  --format FMT            Output template; placeholders:
${FORMAT_HELP.replace(/^/gm, '                          ')}
                          Default '${DEFAULT_FORMAT}'.
  --print-key             Shorthand for --format '%k\\t%v' (key, tab, value).
  --timeout-ms N          Stop when no record arrives for N ms. Without --follow the default is
                          ${END_GRACE_MS.embedded} ms (embedded) / ${END_GRACE_MS.kafka} ms (Kafka); it only matters when the last
                          offsets hold no visible record (transaction markers, aborted records).`,
  options: {
    'from-beginning': { type: 'boolean' },
    follow: { type: 'boolean' },
    'max-messages': { type: 'string' },
    group: { type: 'string' },
    partition: { type: 'string' },
    offset: { type: 'string' },
    isolation: { type: 'string' },
    format: { type: 'string' },
    'print-key': { type: 'boolean' },
    'timeout-ms': { type: 'string' },
  },
  run: consume,
};

interface ConsumeArgs {
  readonly topic: string;
  readonly fromBeginning: boolean;
  readonly follow: boolean;
  readonly maxMessages: number | undefined;
  readonly group: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | 'earliest' | 'latest' | undefined;
  readonly isolation: IsolationLevel;
  readonly formatter: RecordFormatter;
  readonly timeoutMs: number | undefined;
}

function parseConsumeArgs(positionals: readonly string[], values: OptionValues): ConsumeArgs {
  const [topic] = expectPositionals(positionals, ['topic'], USAGE);
  const group = stringOption(values, 'group');
  const partition = intOption(values, 'partition', 0, USAGE);
  const rawOffset = stringOption(values, 'offset');
  if (group !== undefined && (partition !== undefined || rawOffset !== undefined)) {
    throw usageError('--group cannot be combined with --partition or --offset: a group assigns partitions and starts from its committed offsets.', USAGE);
  }
  if (rawOffset !== undefined && partition === undefined) throw usageError('--offset needs --partition: an offset belongs to one partition.', USAGE);
  let offset: ConsumeArgs['offset'];
  if (rawOffset === 'earliest' || rawOffset === 'latest') offset = rawOffset;
  else if (rawOffset !== undefined) offset = intOption(values, 'offset', 0, USAGE);
  const isolation = stringOption(values, 'isolation') ?? 'read_uncommitted';
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw usageError(`--isolation must be read_committed or read_uncommitted, got ${JSON.stringify(isolation)}.`, USAGE);
  }
  const format = stringOption(values, 'format');
  if (format !== undefined && booleanOption(values, 'print-key')) throw usageError('Use either --format or --print-key, not both.', USAGE);
  const template = format ?? (booleanOption(values, 'print-key') ? PRINT_KEY_FORMAT : DEFAULT_FORMAT);
  return {
    topic,
    fromBeginning: booleanOption(values, 'from-beginning'),
    follow: booleanOption(values, 'follow'),
    maxMessages: intOption(values, 'max-messages', 1, USAGE),
    group,
    partition,
    offset,
    isolation,
    formatter: RecordFormatter.compile(template, USAGE),
    timeoutMs: intOption(values, 'timeout-ms', 0, USAGE),
  };
}

async function consume(ctx: CommandContext): Promise<number> {
  const args = parseConsumeArgs(ctx.positionals, ctx.values);
  const result = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => {
    const admin = backend.admin();
    try {
      return await consumeWith(ctx, backend, admin, args);
    } finally {
      await admin.close();
    }
  });
  if (ctx.global.verbose && result.reason === 'idle' && result.short.size > 0) {
    const parts = [...result.short].map(([p, [at, end]]) => `partition ${p} at ${at} of ${end}`).join(', ');
    note(ctx.io, `Stopped after no records arrived for a while, short of the end offsets (${parts}): those offsets hold transaction markers, aborted or still-open transactional records, or another group member reads them.`);
  }
  note(ctx.io, `Processed a total of ${result.count} message${result.count === 1 ? '' : 's'}`);
  return 0;
}

async function consumeWith(ctx: CommandContext, backend: Backend, admin: LogAdmin, a: ConsumeArgs): Promise<ConsumeResult> {
  const [d] = await admin.describeTopics([a.topic]);
  if (a.partition !== undefined && a.partition >= d.partitions) {
    throw new StreamwrightError('PARTITION_NOT_FOUND', `Topic "${a.topic}" has ${d.partitions} partition${d.partitions === 1 ? '' : 's'} (0..${d.partitions - 1}); --partition ${a.partition} does not exist.`, { topic: a.topic, partition: a.partition, partitions: d.partitions });
  }
  const ends = (await admin.listOffsets(a.topic)).filter((o) => a.partition === undefined || o.partition === a.partition);
  const startAt = a.group === undefined ? manualStarts(a, ends) : await groupStarts(admin, a, ends);
  const consumer = backend.consumer({
    groupId: a.group,
    clientId: 'streamwright-cli-consumer',
    isolationLevel: a.isolation,
    autoOffsetReset: a.fromBeginning ? 'earliest' : 'latest',
    // Kafka's pre-3.0 default: a console consumer that died is out of its group within 10 s, not 45.
    sessionTimeoutMs: GROUP_SESSION_TIMEOUT_MS,
  });
  const membership = { assigned: false };
  try {
    await start(consumer, a, startAt, membership);
    return await consumeLoop(consumer, ctx.io, {
      topic: a.topic,
      stopAt: a.follow ? undefined : new Map(ends.map((o) => [o.partition, o.latest])),
      startAt,
      maxMessages: a.maxMessages,
      idleLimitMs: a.timeoutMs ?? (a.follow ? Infinity : END_GRACE_MS[backend.kind]),
      commit: a.group !== undefined,
      formatter: a.formatter,
      pollMs: 100,
      assigned: a.group === undefined ? undefined : () => membership.assigned,
    });
  } finally {
    await consumer.close();
  }
}

async function start(consumer: LogConsumer, a: ConsumeArgs, startAt: ReadonlyMap<number, number>, membership: { assigned: boolean }): Promise<void> {
  if (a.group === undefined) {
    await consumer.assign([...startAt].map(([partition, offset]) => ({ topic: a.topic, partition, offset })));
    return;
  }
  // Everything printed is committed right after it is written, so a revocation has nothing left to commit.
  await consumer.subscribe([a.topic], {
    onPartitionsAssigned: (tps) => void (membership.assigned ||= tps.length > 0),
    onPartitionsRevoked: () => undefined,
  });
}

function manualStarts(a: ConsumeArgs, ends: readonly PartitionOffsets[]): Map<number, number> {
  const starts = new Map<number, number>();
  for (const o of ends) {
    if (typeof a.offset === 'number' && (a.offset < o.earliest || a.offset > o.latest)) {
      throw new StreamwrightError(
        'OFFSET_OUT_OF_RANGE',
        `--offset ${a.offset} is outside topic "${a.topic}" partition ${o.partition}, which holds offsets ${o.earliest}..${o.latest} (end). Pick an offset in that range, or use --offset earliest / latest.`,
        { topic: a.topic, partition: o.partition, offset: a.offset, earliest: o.earliest, latest: o.latest },
      );
    }
    const from = typeof a.offset === 'number' ? a.offset : a.offset === 'earliest' || (a.offset === undefined && a.fromBeginning) ? o.earliest : o.latest;
    starts.set(o.partition, from);
  }
  return starts;
}

/** A group starts each partition at its committed offset, else where --from-beginning says (Kafka's auto.offset.reset). */
async function groupStarts(admin: LogAdmin, a: ConsumeArgs, ends: readonly PartitionOffsets[]): Promise<Map<number, number>> {
  const committed = new Map<number, number>();
  for (const c of await admin.fetchCommittedOffsets(a.group!, [a.topic])) if (c.topic === a.topic && c.offset >= 0) committed.set(c.partition, c.offset);
  return new Map(ends.map((o) => [o.partition, committed.get(o.partition) ?? (a.fromBeginning ? o.earliest : o.latest)]));
}
