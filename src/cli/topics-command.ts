import { StreamwrightError } from '../errors/streamwright-error.js';
import { booleanOption, expectPositionals, intOption, keyValuePairs, listOption, type OptionSpecs } from './cli-args.js';
import { withBackend } from './cli-backend.js';
import type { CommandContext, CommandSpec } from './cli-command.js';
import { writeChunk } from './cli-io.js';

const LIST_USAGE = 'streamwright topics list';
const CREATE_USAGE = 'streamwright topics create NAME [--partitions N] [--replication-factor N] [--config KEY=VALUE ...] [--if-not-exists]';
const DESCRIBE_USAGE = 'streamwright topics describe NAME';
const DELETE_USAGE = 'streamwright topics delete NAME [--if-exists]';

export const topicsListCommand: CommandSpec = {
  path: ['topics', 'list'],
  summary: 'List topic names, one per line.',
  usage: LIST_USAGE,
  details: 'Prints every topic of the log, sorted, including internal topics (<application.id>-...).',
  options: {},
  async run(ctx) {
    expectPositionals(ctx.positionals, [], LIST_USAGE);
    const names = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => backend.admin().listTopics());
    await writeChunk(ctx.io.stdout, names.map((n) => `${n}\n`).join(''));
    return 0;
  },
};

const createOptions: OptionSpecs = {
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
  config: { type: 'string', multiple: true },
  'if-not-exists': { type: 'boolean' },
};

export const topicsCreateCommand: CommandSpec = {
  path: ['topics', 'create'],
  summary: 'Create a topic.',
  usage: CREATE_USAGE,
  details: `Arguments:
  NAME                       Topic name: letters, digits, '.', '_' and '-', at most 249 characters.
Options:
  --partitions N             Number of partitions (default 1).
  --replication-factor N     Replicas per partition (default 1; the embedded log keeps one copy).
  --config KEY=VALUE         A topic config such as cleanup.policy=compact or retention.ms=86400000.
                             Repeat for several.
  --if-not-exists            Succeed without changes when the topic already exists.`,
  options: createOptions,
  async run(ctx) {
    const [name] = expectPositionals(ctx.positionals, ['name'], CREATE_USAGE);
    const partitions = intOption(ctx.values, 'partitions', 1, CREATE_USAGE) ?? 1;
    const replicationFactor = intOption(ctx.values, 'replication-factor', 1, CREATE_USAGE) ?? 1;
    const config = keyValuePairs(listOption(ctx.values, 'config'), 'config', CREATE_USAGE);
    const ifNotExists = booleanOption(ctx.values, 'if-not-exists');
    const existed = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => {
      const admin = backend.admin();
      try {
        const before = ifNotExists ? (await admin.listTopics()).includes(name) : false;
        await admin.createTopics([{ name, partitions, replicationFactor, config }], { ifNotExists });
        return before;
      } finally {
        await admin.close();
      }
    });
    ctx.io.stderr.write(existed ? `Topic "${name}" already exists; left unchanged.\n` : `Created topic "${name}" with ${partitions} partition${partitions === 1 ? '' : 's'}.\n`);
    return 0;
  },
};

export const topicsDescribeCommand: CommandSpec = {
  path: ['topics', 'describe'],
  summary: 'Show partitions, configs and per-partition earliest/latest offsets of a topic.',
  usage: DESCRIBE_USAGE,
  details: `Output (tab-separated, in the shape of kafka-topics --describe):
  Topic: NAME  PartitionCount: N  ReplicationFactor: N  Configs: key=value,...
      Topic: NAME  Partition: P  EarliestOffset: E  LatestOffset: L
EarliestOffset is the log start offset; LatestOffset is the end offset (the offset the next record gets).`,
  options: {},
  async run(ctx) {
    const [name] = expectPositionals(ctx.positionals, ['name'], DESCRIBE_USAGE);
    const text = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => {
      const admin = backend.admin();
      try {
        const [d] = await admin.describeTopics([name]);
        const offsets = await admin.listOffsets(name);
        const configs = Object.keys(d.config).sort().map((k) => `${k}=${d.config[k]}`).join(',');
        let out = `Topic: ${d.name}\tPartitionCount: ${d.partitions}\tReplicationFactor: ${d.replicationFactor}\tConfigs: ${configs}\n`;
        for (const o of [...offsets].sort((a, b) => a.partition - b.partition)) {
          out += `\tTopic: ${d.name}\tPartition: ${o.partition}\tEarliestOffset: ${o.earliest}\tLatestOffset: ${o.latest}\n`;
        }
        return out;
      } finally {
        await admin.close();
      }
    });
    await writeChunk(ctx.io.stdout, text);
    return 0;
  },
};

export const topicsDeleteCommand: CommandSpec = {
  path: ['topics', 'delete'],
  summary: 'Delete a topic and all its records.',
  usage: DELETE_USAGE,
  details: `Arguments:
  NAME           The topic to delete. Its records and committed offsets are removed.
Options:
  --if-exists    Succeed without changes when the topic does not exist.`,
  options: { 'if-exists': { type: 'boolean' } },
  async run(ctx: CommandContext) {
    const [name] = expectPositionals(ctx.positionals, ['name'], DELETE_USAGE);
    const ifExists = booleanOption(ctx.values, 'if-exists');
    const deleted = await withBackend(ctx.global, ctx.io.stderr, async ({ backend }) => {
      const admin = backend.admin();
      try {
        const exists = (await admin.listTopics()).includes(name);
        if (!exists && ifExists) return false;
        if (!exists) {
          throw new StreamwrightError('TOPIC_NOT_FOUND', `Topic "${name}" does not exist in ${backend.description}, so it cannot be deleted. Check the name with \`streamwright topics list\`, or pass --if-exists.`, { topic: name });
        }
        await admin.deleteTopics([name]);
        return true;
      } finally {
        await admin.close();
      }
    });
    ctx.io.stderr.write(deleted ? `Deleted topic "${name}".\n` : `Topic "${name}" does not exist; nothing deleted.\n`);
    return 0;
  },
};

export const TOPICS_COMMANDS: readonly CommandSpec[] = [topicsListCommand, topicsCreateCommand, topicsDescribeCommand, topicsDeleteCommand];
