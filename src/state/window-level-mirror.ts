/**
 * LevelDB copy of a by-window store (see FORMAT.md): key = 8-byte order-preserving window start +
 * serialized key, value = serialized aggregate. Windows are laid out oldest first, so expiring
 * every window older than a cutoff is one native range delete at the next flush instead of a
 * delete per window. Writes go into one LevelDB chained batch between flushes (handed to the
 * native batch as they happen) and are committed atomically at write().
 */
import * as path from 'node:path';
import { LevelHandle, type ChainedWrites } from './level-handle.js';
import { TIMESTAMP_BYTES } from './key-codec.js';

const TWO_32 = 4294967296;

/** Big-endian with the sign bit flipped, so byte order is numeric order for negative starts too. */
function writeOrderedStart(b: Buffer, t: number): void {
  const hi = Math.floor(t / TWO_32);
  b.writeUInt32BE((hi ^ 0x80000000) >>> 0, 0);
  b.writeUInt32BE(t - hi * TWO_32, 4);
}

function readOrderedStart(b: Buffer): number {
  return ((b.readUInt32BE(0) ^ 0x80000000) | 0) * TWO_32 + b.readUInt32BE(4);
}

export class WindowLevelMirror {
  private readonly db: LevelHandle;
  private pending: ChainedWrites | undefined;
  /** Windows starting before this are expired and not yet range-deleted. */
  private clearBelow = -Infinity;
  private clearedBelow = -Infinity;

  constructor(store: string, taskDir: string) {
    this.db = new LevelHandle(store, path.join(taskDir, store));
  }

  get dir(): string {
    return this.db.dir;
  }

  /** Opens the database and hands every stored window to `apply`. */
  async open(apply: (start: number, key: Buffer, value: Buffer) => void): Promise<void> {
    await this.db.open();
    for (const [k, v] of await this.db.entries(undefined, undefined)) apply(readOrderedStart(k), k.subarray(TIMESTAMP_BYTES), v);
  }

  /** Queues a window's value (null deletes it) for the next write(). */
  put(start: number, key: Buffer, value: Buffer | null): void {
    const k = Buffer.allocUnsafe(TIMESTAMP_BYTES + key.length);
    writeOrderedStart(k, start);
    key.copy(k, TIMESTAMP_BYTES);
    const batch = (this.pending ??= this.db.chainedBatch());
    if (value === null) batch.del(k);
    else batch.put(k, value);
  }

  /** Every window starting before `start` has expired: deleted at the next write(). */
  expireBefore(start: number): void {
    if (start > this.clearBelow) this.clearBelow = start;
  }

  /**
   * Commits the queued writes as one batch, then range-deletes expired windows (which may include
   * the final values just written for them). A failed commit loses the batch and throws: the task
   * fails without writing a checkpoint, so its restart restores these windows from the changelog.
   */
  async write(): Promise<void> {
    const batch = this.pending;
    if (batch !== undefined) {
      this.pending = undefined;
      await batch.commit();
    }
    if (this.clearBelow > this.clearedBelow) {
      const below = this.clearBelow;
      const lt = Buffer.allocUnsafe(TIMESTAMP_BYTES);
      writeOrderedStart(lt, below);
      await this.db.clearBelow(lt);
      this.clearedBelow = below;
    }
  }

  private async discardPending(): Promise<void> {
    const batch = this.pending;
    this.pending = undefined;
    await batch?.discard();
  }

  async close(): Promise<void> {
    await this.discardPending();
    await this.db.close();
  }

  async destroy(): Promise<void> {
    await this.discardPending();
    await this.db.destroy();
  }
}
