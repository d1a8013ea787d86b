import * as fs from 'node:fs';
import * as path from 'node:path';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { TopicSpec } from '../backend-types.js';
import { validateTopicName } from '../topic-name.js';
import type { FlushScheduler } from './flush-scheduler.js';
import { PartitionLog } from './partition-log.js';
import { parseTopicConfig, type TopicSettings } from './topic-config.js';

/** A topic as stored in `topics/<name>/topic.json`, with its open partition logs. */
export interface TopicState {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
  readonly settings: TopicSettings;
  readonly logs: readonly PartitionLog[];
}

interface TopicFile {
  readonly name: string;
  readonly partitions: number;
  readonly config: Record<string, string>;
}

const TOPIC_FILE = 'topic.json';

export function topicNotFound(topic: string): StreamwrightError {
  return new StreamwrightError(
    'TOPIC_NOT_FOUND',
    `Topic "${topic}" does not exist in the embedded log. Create it first, e.g. \`streamwright topics create ${topic} --partitions 1\` or admin.createTopics().`,
    { topic },
  );
}

/** Topics of one data directory. A topic exists once its topic.json is written (last, atomically). */
export class TopicRegistry {
  readonly topics = new Map<string, TopicState>();
  private readonly root: string;
  private readonly trash: string;
  private readonly flusher: FlushScheduler;

  constructor(dataDir: string, flusher: FlushScheduler) {
    this.root = path.join(dataDir, 'topics');
    this.trash = path.join(dataDir, 'deleted-topics');
    this.flusher = flusher;
    fs.mkdirSync(this.root, { recursive: true });
    fs.rmSync(this.trash, { recursive: true, force: true });
    for (const name of fs.readdirSync(this.root).sort()) {
      const dir = path.join(this.root, name);
      const file = path.join(dir, TOPIC_FILE);
      if (!fs.existsSync(file)) {
        fs.rmSync(dir, { recursive: true, force: true }); // a create that never finished
        continue;
      }
      const t = JSON.parse(fs.readFileSync(file, 'utf8')) as TopicFile;
      this.topics.set(t.name, this.openTopic(t));
    }
  }

  private openTopic(t: TopicFile): TopicState {
    const settings = parseTopicConfig(t.name, t.config);
    const dir = path.join(this.root, t.name);
    const logs: PartitionLog[] = [];
    for (let p = 0; p < t.partitions; p++) logs.push(PartitionLog.open(t.name, p, path.join(dir, String(p)), settings, this.flusher));
    return { name: t.name, partitions: t.partitions, config: t.config, settings, logs };
  }

  /** Validates a spec; throws TOPIC_INVALID_NAME or CONFIG_INVALID. */
  validate(spec: TopicSpec): void {
    validateTopicName(spec.name);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1 || spec.partitions > 100_000) {
      throw new StreamwrightError(
        'CONFIG_INVALID',
        `Invalid partition count ${spec.partitions} for topic "${spec.name}": use an integer from 1 to 100000.`,
        { topic: spec.name, partitions: spec.partitions },
      );
    }
    parseTopicConfig(spec.name, spec.config);
  }

  create(spec: TopicSpec): TopicState {
    const dir = path.join(this.root, spec.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const file: TopicFile = { name: spec.name, partitions: spec.partitions, config: { ...(spec.config ?? {}) } };
    const t = this.openTopic(file);
    const tmp = path.join(dir, `${TOPIC_FILE}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(file));
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(dir, TOPIC_FILE));
    this.flusher.syncDir(dir);
    this.flusher.syncDir(this.root);
    this.topics.set(spec.name, t);
    return t;
  }

  delete(name: string): void {
    const t = this.get(name);
    for (const log of t.logs) log.close();
    this.topics.delete(name);
    fs.mkdirSync(this.trash, { recursive: true });
    const gone = path.join(this.trash, `${name}-${process.pid}-${Date.now()}`);
    fs.renameSync(path.join(this.root, name), gone);
    fs.rmSync(gone, { recursive: true, force: true });
  }

  get(name: string): TopicState {
    const t = this.topics.get(name);
    if (t === undefined) {
      validateTopicName(name);
      throw topicNotFound(name);
    }
    return t;
  }

  partition(topic: string, partition: number): PartitionLog {
    const t = this.get(topic);
    const log = Number.isInteger(partition) ? t.logs[partition] : undefined;
    if (log === undefined) {
      throw new StreamwrightError(
        'PARTITION_NOT_FOUND',
        `Partition ${partition} does not exist in topic "${topic}", which has partitions 0..${t.partitions - 1}. Use a partition in that range, or leave the partition out to use the default partitioner.`,
        { topic, partition, partitions: t.partitions },
      );
    }
    return log;
  }

  closeAll(): void {
    for (const t of this.topics.values()) for (const log of t.logs) log.close();
    this.topics.clear();
  }
}
