import * as fs from 'node:fs';
import * as path from 'node:path';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { sortedEntries, type KeyValueEngine } from './kv-engine.js';
import { engineKeyId, type EngineKeyId } from './kv-key-id-codec.js';
import { encodeStoredValue, storedTimestamp, storedValueBytes } from './kv-value-codec.js';
import { hasLocalState, LevelHandle, type LevelWrite } from './level-handle.js';

/** Default number of loaded clean keys kept before a prefetch releases older ones. */
export const DEFAULT_LOADED_KEYS_LIMIT = 50_000;

/**
 * LevelDB engine. `known` holds what memory knows about keys, as stored values (timestamp + value
 * bytes, the LevelDB layout): prefetched values (null = absent in LevelDB) and writes not flushed
 * yet (`unwritten`). Keys loaded by a prefetch stay readable at
 * least until the next prefetch; beyond `loadedKeysLimit` a prefetch drops clean keys it was not
 * asked for. Unwritten keys are never dropped before flush().
 */
export class LevelKeyValueEngine implements KeyValueEngine {
  readonly needsPrefetch = true;
  private readonly db: LevelHandle;
  private readonly known = new Map<EngineKeyId, Buffer | null>();
  private unwritten = new Map<EngineKeyId, Buffer>();
  /** Restored records not written yet, in changelog order (LevelDB applies a batch in order). */
  private restored: LevelWrite[] = [];
  /** The key peekValue() last found and its stored value (for peekTimestamp(); any change to
   * `known` forgets it). */
  private peekedId: EngineKeyId | undefined;
  private peeked: Buffer | undefined;

  constructor(
    store: string,
    dir: string,
    private readonly loadedKeysLimit = DEFAULT_LOADED_KEYS_LIMIT,
  ) {
    this.db = new LevelHandle(store, dir);
  }

  open(): Promise<void> {
    checkStoredFormat(this.db.store, this.db.dir);
    return this.db.open();
  }

  peekValue(id: EngineKeyId): Buffer | null | undefined {
    const stored = this.known.get(id);
    if (!stored) return stored;
    this.peekedId = id;
    this.peeked = stored;
    return storedValueBytes(stored);
  }

  peekTimestamp(id: EngineKeyId): number {
    const stored = id === this.peekedId ? this.peeked : this.known.get(id);
    return stored ? storedTimestamp(stored) : 0;
  }

  knows(id: EngineKeyId): boolean {
    return this.known.has(id);
  }

  async load(ids: readonly EngineKeyId[], keys: readonly Buffer[]): Promise<void> {
    this.peekedId = undefined;
    if (this.known.size + ids.length > this.loadedKeysLimit) this.release(ids);
    const values = await this.db.getMany(keys as Buffer[]);
    for (let i = 0; i < ids.length; i++) {
      // A write may have landed while the read was in flight; it wins.
      if (!this.known.has(ids[i])) this.known.set(ids[i], values[i] ?? null);
    }
  }

  private release(keep: readonly EngineKeyId[]): void {
    this.peekedId = undefined;
    const pinned = new Set(keep);
    for (const id of this.known.keys()) {
      if (!this.unwritten.has(id) && !pinned.has(id)) this.known.delete(id);
    }
  }

  put(id: EngineKeyId, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.peekedId = undefined;
    this.known.set(id, encodeStoredValue(value, timestamp));
    this.unwritten.set(id, key);
  }

  remember(id: EngineKeyId, value: Buffer | null, timestamp: number): void {
    if (!this.known.has(id)) this.known.set(id, encodeStoredValue(value, timestamp));
  }

  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.peekedId = undefined;
    if (this.known.size > 0) this.known.delete(engineKeyId(key));
    this.restored.push({ key, value: encodeStoredValue(value, timestamp) });
  }

  async flush(): Promise<void> {
    if (this.restored.length > 0) {
      const batch = this.restored;
      this.restored = [];
      await this.db.write(batch);
    }
    if (this.unwritten.size === 0) return;
    const pending = this.unwritten;
    this.unwritten = new Map();
    const writes: LevelWrite[] = [];
    for (const [id, key] of pending) writes.push({ key, value: this.known.get(id) ?? null });
    try {
      await this.db.write(writes);
    } catch (e) {
      // Keep them pending so a retry writes them; writes made meanwhile win.
      for (const [id, key] of pending) if (!this.unwritten.has(id)) this.unwritten.set(id, key);
      throw e;
    }
    // Committed state is in LevelDB now; release clean keys beyond the limit (between runs).
    if (this.known.size > this.loadedKeysLimit) this.release([]);
  }

  async read(key: Buffer): Promise<Buffer | undefined> {
    const k = this.known.get(engineKeyId(key));
    if (k !== undefined) return k ?? undefined;
    return this.db.get(key);
  }

  async entries(from: Buffer | undefined, to: Buffer | undefined): Promise<[Buffer, Buffer][]> {
    const overlay = new Map<string, Buffer | null>();
    for (const [id, key] of this.unwritten) overlay.set(key.toString('latin1'), this.known.get(id) ?? null);
    const stored = await this.db.entries(from, to);
    if (overlay.size === 0) return stored;
    const merged = new Map<string, Buffer | null>();
    for (const [k, v] of stored) merged.set(k.toString('latin1'), v);
    for (const [id, v] of overlay) merged.set(id, v);
    return sortedEntries(merged, from, to, identity);
  }

  async count(): Promise<number> {
    let extra = 0;
    for (const id of this.unwritten.keys()) if (this.known.get(id) !== null) extra++;
    return (await this.db.count()) + extra; // approximate: overwritten keys may count twice
  }

  async close(): Promise<void> {
    this.peekedId = undefined;
    this.restored = [];
    this.known.clear();
    this.unwritten.clear();
    await this.db.close();
  }

  async destroy(): Promise<void> {
    this.peekedId = undefined;
    this.restored = [];
    this.known.clear();
    this.unwritten.clear();
    await this.db.destroy();
  }
}

const identity = (b: Buffer): Buffer => b;

/** Marks a key-value store's LevelDB directory as holding timestamped values (FORMAT.md). */
export const KV_FORMAT_FILE = 'STREAMWRIGHT-KV-FORMAT';
const KV_FORMAT = 'timestamped-values 1\n';

/**
 * A new directory gets the format marker before LevelDB creates its files (written durably, so
 * data never exists without it); an existing database without it (or with another) was written
 * in an older layout (values without timestamps) and is refused rather than misread.
 */
function checkStoredFormat(store: string, dir: string): void {
  const marker = path.join(dir, KV_FORMAT_FILE);
  let found: string | undefined;
  try {
    found = fs.readFileSync(marker, 'utf8');
  } catch {
    found = undefined;
  }
  if (found === KV_FORMAT) return;
  if (found !== undefined || hasLocalState(dir)) {
    throw new StreamwrightError(
      'STATE_STORE',
      `State store "${store}": ${dir} holds LevelDB data in another layout than this version writes (key-value values with timestamps, format "${KV_FORMAT.trim()}"). ` +
        'Delete that directory and restart: a logged store is rebuilt from its changelog (an unlogged one starts empty).',
      { store, dir },
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(marker, 'w');
  try {
    fs.writeSync(fd, KV_FORMAT);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
