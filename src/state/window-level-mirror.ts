/**
 * LevelDB copy of a window store or join buffer (see FORMAT.md), in time segments as Kafka
 * Streams' segmented stores keep them: `<taskDir>/<store>/segment-<start>/` is one LevelDB holding
 * the windows whose start falls in [start, start + segmentMs), keyed by an 8-byte order-preserving
 * window start + the store's key bytes. Expiring a segment whose windows have all ended closes and
 * deletes its directory: no delete per window. Writes are queued per segment between flushes and
 * committed at write(), one chained batch per segment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LevelHandle } from './level-handle.js';
import { TIMESTAMP_BYTES } from './key-codec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

const TWO_32 = 4294967296;
/** Marks a store directory laid out in segments (hasLocalState() looks for it). */
export const SEGMENTS_MARKER = 'SEGMENTS';
const SEGMENT_DIR = /^segment-(-?\d+)$/;

/** Big-endian with the sign bit flipped, so byte order is numeric order for negative starts too. */
function writeOrderedStart(b: Buffer, t: number): void {
  const hi = Math.floor(t / TWO_32);
  b.writeUInt32BE((hi ^ 0x80000000) >>> 0, 0);
  b.writeUInt32BE(t - hi * TWO_32, 4);
}

function readOrderedStart(b: Buffer): number {
  return ((b.readUInt32BE(0) ^ 0x80000000) | 0) * TWO_32 + b.readUInt32BE(4);
}

/** Kafka Streams' segment interval for a window store: max(retention / 2, 60 s). */
export function segmentIntervalMs(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

interface Pending {
  readonly keys: Buffer[];
  readonly values: (Buffer | null)[];
}

export class WindowLevelMirror {
  readonly dir: string;
  private readonly segments = new Map<number, LevelHandle>();
  private pending = new Map<number, Pending>();
  /** Segments whose windows all started before this are expired and not yet deleted. */
  private expiredBefore = -Infinity;

  constructor(
    private readonly store: string,
    taskDir: string,
    private readonly segmentMs: number,
  ) {
    this.dir = path.join(taskDir, store);
  }

  private segmentDir(id: number): string {
    return path.join(this.dir, `segment-${id * this.segmentMs}`);
  }

  /** Opens every segment and hands each stored window to `apply`, oldest first. */
  async open(apply: (start: number, key: Buffer, value: Buffer) => void): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir);
    if (names.includes('CURRENT') && !names.includes(SEGMENTS_MARKER)) {
      throw new StreamwrightError(
        'STATE_STORE',
        `State store "${this.store}": ${this.dir} holds a LevelDB in the unsegmented layout of an older Streamwright. Delete the directory (the store restores from its changelog).`,
        { store: this.store, dir: this.dir },
      );
    }
    if (!names.includes(SEGMENTS_MARKER)) fs.writeFileSync(path.join(this.dir, SEGMENTS_MARKER), '');
    const ids = names.flatMap((n) => {
      const m = SEGMENT_DIR.exec(n);
      return m === null ? [] : [Math.floor(Number(m[1]) / this.segmentMs)];
    });
    for (const id of ids.sort((a, b) => a - b)) {
      const db = await this.openSegment(id);
      for (const [k, v] of await db.entries(undefined, undefined)) apply(readOrderedStart(k), k.subarray(TIMESTAMP_BYTES), v);
    }
  }

  private async openSegment(id: number): Promise<LevelHandle> {
    let db = this.segments.get(id);
    if (db === undefined) {
      db = new LevelHandle(this.store, this.segmentDir(id));
      await db.open();
      this.segments.set(id, db);
    }
    return db;
  }

  /** Queues a window's value (null deletes it) for the next write(). */
  put(start: number, key: Buffer, value: Buffer | null): void {
    const id = Math.floor(start / this.segmentMs);
    let p = this.pending.get(id);
    if (p === undefined) this.pending.set(id, (p = { keys: [], values: [] }));
    const k = Buffer.allocUnsafe(TIMESTAMP_BYTES + key.length);
    writeOrderedStart(k, start);
    key.copy(k, TIMESTAMP_BYTES);
    p.keys.push(k);
    p.values.push(value);
  }

  /** Every window starting before `start` has expired: segments holding only such windows are
   * deleted at the next write(). */
  expireBefore(start: number): void {
    if (start > this.expiredBefore) this.expiredBefore = start;
  }

  private expired(id: number): boolean {
    return (id + 1) * this.segmentMs <= this.expiredBefore;
  }

  /**
   * Commits the queued writes (a chained batch per segment), then deletes expired segments. A
   * failed commit throws with the writes lost: the task fails without writing a checkpoint, so its
   * restart restores these windows from the changelog.
   */
  async write(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    for (const [id, p] of pending) {
      if (this.expired(id)) continue;
      const batch = (await this.openSegment(id)).chainedBatch();
      for (let i = 0; i < p.keys.length; i++) {
        const v = p.values[i];
        if (v === null) batch.del(p.keys[i]);
        else batch.put(p.keys[i], v);
      }
      await batch.commit();
    }
    for (const [id, db] of this.segments) {
      if (!this.expired(id)) continue;
      this.segments.delete(id);
      await db.destroy();
    }
  }

  async close(): Promise<void> {
    this.pending = new Map();
    for (const db of this.segments.values()) await db.close();
    this.segments.clear();
  }

  async destroy(): Promise<void> {
    await this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
