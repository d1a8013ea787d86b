/**
 * The task checkpoint file `<taskDir>/.checkpoint`: for each changelog topic-partition of the
 * task's persistent stores, the next changelog offset to read on restore (what LevelDB already
 * holds). Written atomically (temp file, fsync, rename). Format in FORMAT.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopicPartitionOffset } from '../backend/backend-types.js';
import type { Logger } from '../runtime/logger.js';

export const CHECKPOINT_FILE = '.checkpoint';
const VERSION = 1;

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function checkpointPath(taskDir: string): string {
  return path.join(taskDir, CHECKPOINT_FILE);
}

/** Offsets by tpKey; undefined when there is no usable checkpoint (a corrupt file is logged and ignored). */
export function readCheckpoint(taskDir: string, logger: Logger): Map<string, number> | undefined {
  const file = checkpointPath(taskDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const data = JSON.parse(text) as { version?: unknown; offsets?: unknown };
    if (data.version !== VERSION || typeof data.offsets !== 'object' || data.offsets === null) throw new Error(`unsupported layout (version ${String(data.version)})`);
    const out = new Map<string, number>();
    for (const [topic, parts] of Object.entries(data.offsets as Record<string, Record<string, unknown>>)) {
      for (const [p, off] of Object.entries(parts)) {
        const partition = Number(p);
        if (!Number.isSafeInteger(partition) || partition < 0 || typeof off !== 'number' || !Number.isSafeInteger(off) || off < 0) {
          throw new Error(`bad entry ${topic}/${p}=${String(off)}`);
        }
        out.set(tpKey(topic, partition), off);
      }
    }
    return out;
  } catch (e) {
    logger.warn(`Ignoring unreadable checkpoint file ${file} (${(e as Error).message}); the task's stores restore from their changelogs' beginning.`, { file });
    return undefined;
  }
}

export function writeCheckpoint(taskDir: string, offsets: readonly TopicPartitionOffset[]): void {
  const data: { version: number; offsets: Record<string, Record<string, number>> } = { version: VERSION, offsets: {} };
  for (const o of offsets) (data.offsets[o.topic] ??= {})[String(o.partition)] = o.offset;
  fs.mkdirSync(taskDir, { recursive: true });
  const file = checkpointPath(taskDir);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(data));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(taskDir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is not supported everywhere (e.g. Windows); the rename is still atomic.
  }
}

export function deleteCheckpoint(taskDir: string): void {
  fs.rmSync(checkpointPath(taskDir), { force: true });
}
