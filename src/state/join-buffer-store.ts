/**
 * The buffer of one side of a stream–stream join (Kafka Streams' window store with
 * retainDuplicates): every record is kept as its own entry (key, timestamp, value bytes) for
 * `retentionMs` of stream time, several per key and timestamp, and read back by key and time range.
 * The entries sit in one log in arrival order (join-buffer-log.ts: typed-array slots and one
 * shared arena for the value bytes, each key a chain through it), freed from its head as they
 * expire, so appending and expiring allocate nothing per record, and a probe one view per match.
 *
 * Changelog: one record per buffered record, key = the serialized key, value = the value bytes,
 * timestamp = the record's; no tombstones. The topic is not compacted (cleanup.policy=delete,
 * retention = the join's retention + 1 day): records of one key and time must all survive, so the
 * key needs no timestamp or sequence number (Kafka's duplicate window key) and one key buffer
 * serves every record of that key.
 * Persistent stores mirror entries to LevelDB (WindowLevelMirror, entries oldest first) and drop
 * expired ones a whole time segment at a time at flush.
 */
import { bytesId, isPrimitiveKey, serializeKey, type KeyId } from './key-codec.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { notOpenError, storeConfigError } from './store-errors.js';
import { validateWindowOptions } from './store-options.js';
import type { StoreBuildOptions, StoreContext, StoreLifecycle } from './store-types.js';
import { JoinBufferLog, KeyChain } from './join-buffer-log.js';
import { segmentIntervalMs, WindowLevelMirror } from './window-level-mirror.js';

const SEQ_BYTES = 4;
const DETACHED = { value: 0 };

export class JoinBufferStore<K> implements StoreLifecycle {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  /** Entries live while ts + sizeMs > stream time - retention (the window store rule, 1 ms windows). */
  private readonly sizeMs: number;
  private readonly byId = new Map<KeyId, KeyChain<K>>();
  private readonly log = new JoinBufferLog<K>(this.byId);
  /** The chain entriesFor() found last (primitive keys). */
  private lastChain: KeyChain<K> | undefined;
  private observed = -Infinity;
  /** Smallest timestamp still live. */
  private minLive = -Infinity;
  /** expire() frees expired entries from memory once minLive reaches this. */
  private sweepAt = -Infinity;
  private readonly sweepStepMs: number;
  private seq = 0;
  private ctx: StoreContext | undefined;
  private logTo: StoreContext | undefined;
  private topic = '';
  private mirror: WindowLevelMirror | undefined;
  private restoredTime = -Infinity;
  private dropped = DETACHED;
  private puts = DETACHED;

  constructor(private readonly opts: StoreBuildOptions<K, unknown>) {
    const { retentionMs, windowSizeMs } = validateWindowOptions(opts);
    if (opts.cacheMaxBytes !== 0) throw storeConfigError(opts.name, 'cacheMaxBytes', opts.cacheMaxBytes, '0: a join buffer is not cached (every record is logged as it arrives)');
    this.name = opts.name;
    this.persistent = opts.persistent;
    this.retentionMs = retentionMs;
    this.sizeMs = windowSizeMs;
    this.sweepStepMs = Math.max(1, Math.floor(retentionMs / 32));
  }

  async open(ctx: StoreContext): Promise<void> {
    const tags = { task: ctx.taskId, store: this.name };
    this.puts = ctx.metrics.counter('put-total', tags);
    this.dropped = ctx.metrics.counter('dropped-records-total', { ...tags, reason: 'expired-window' });
    this.topic = ctx.changelogTopic ?? `${ctx.applicationId}-${this.name}-changelog`;
    this.logTo = this.opts.logging && ctx.changelogTopic !== undefined ? ctx : undefined;
    if (this.persistent) {
      const mirror = new WindowLevelMirror(this.name, ctx.taskDir, segmentIntervalMs(this.retentionMs));
      await mirror.open((ts, k, v) => {
        const seq = k.readUInt32BE(0);
        if (seq >= this.seq) this.seq = seq + 1;
        this.insert(Buffer.from(k.subarray(SEQ_BYTES)), ts, v);
      });
      this.mirror = mirror;
    }
    this.ctx = ctx;
  }

  private live(op: string): void {
    if (this.ctx === undefined) throw notOpenError(this.name, op);
  }

  private entriesFor(key: K, create: boolean): KeyChain<K> | undefined {
    if (isPrimitiveKey(key)) {
      // Runs of one key are common (a hot auction's bids): the chain found last, while it holds
      // records (an emptied chain leaves the map), spares a Map lookup.
      const last = this.lastChain;
      if (last !== undefined && last.key === key && last.last >= 0) return last;
      const e = this.byId.get(key);
      if (e !== undefined) return (this.lastChain = e);
      if (!create) return undefined;
      return (this.lastChain = this.created(key, key, serializeKey(this.opts.keySerde, this.topic, key, this.name)));
    }
    const kb = serializeKey(this.opts.keySerde, this.topic, key, this.name);
    const id = bytesId(kb);
    const e = this.byId.get(id);
    if (e !== undefined || !create) return e;
    return this.created(id, key, kb);
  }

  private created(id: KeyId, key: K, kb: Buffer): KeyChain<K> {
    const e = new KeyChain<K>(id, key, kb);
    this.byId.set(id, e);
    return e;
  }

  private insert(kb: Buffer, ts: number, value: Buffer): void {
    const key = this.opts.keySerde.deserialize(this.topic, kb);
    const id: KeyId = isPrimitiveKey(key) ? key : bytesId(kb);
    this.log.append(this.byId.get(id) ?? this.created(id, key, kb), ts, value);
  }

  /** Queues an entry for LevelDB under a fresh sequence number (records of one key and time stay apart). */
  private mirrorPut(mirror: WindowLevelMirror, ts: number, kb: Buffer, value: Buffer): void {
    const seq = this.seq;
    this.seq = (seq + 1) >>> 0;
    mirror.put(ts, seqAndKey(seq, kb), value);
  }

  /** Buffers one record; a record already older than the retention is dropped and counted. */
  append(key: K, value: Buffer, ts: number): void {
    if (this.ctx === undefined) throw notOpenError(this.name, 'put');
    this.puts.value++;
    if (ts + this.sizeMs <= this.observed - this.retentionMs) {
      this.dropped.value++;
      return;
    }
    const e = this.entriesFor(key, true)!;
    this.log.append(e, ts, value);
    if (this.logTo !== undefined) this.logTo.logChange(e.keyBytes, value, ts);
    if (this.mirror !== undefined) this.mirrorPut(this.mirror, ts, e.keyBytes, value);
  }

  /**
   * Writes key's live entries with from <= timestamp <= to, oldest first, to outTs/outSlots from
   * index 0 on (reused arrays: entries past the returned count are stale); returns how many.
   * valueAt(slot) reads an entry's value until the next append or expire: the caller holds no
   * Buffer per entry (a view stored in a long-lived array would cost a write barrier and outlive
   * its use).
   */
  fetchInto(key: K, from: number, to: number, outTs: number[], outSlots: number[]): number {
    if (this.ctx === undefined) throw notOpenError(this.name, 'fetch');
    const e = this.entriesFor(key, false);
    if (e === undefined) return 0;
    return this.log.fetchInto(e, from > this.minLive ? from : this.minLive, to, outTs, outSlots);
  }

  /** The value bytes of an entry fetchInto() returned (a view, valid whatever the caller keeps of it). */
  valueAt(slot: number): Buffer {
    return this.log.valueAt(slot);
  }

  /** Drops entries with ts + size <= streamTime - retention. */
  expire(streamTime: number): void {
    if (this.ctx === undefined) throw notOpenError(this.name, 'expire');
    if (!(streamTime > this.observed)) return;
    this.observed = streamTime;
    const minLive = streamTime - this.retentionMs - this.sizeMs + 1;
    this.minLive = minLive;
    // Reads filter by minLive, so memory is freed in steps of 1/32 of the retention (a sweep per
    // record, freeing one or two, cost more per record than the freeing itself).
    if (minLive < this.sweepAt) return;
    this.sweepAt = minLive + this.sweepStepMs;
    this.log.sweep(minLive);
    this.mirror?.expireBefore(minLive);
  }

  async flush(): Promise<void> {
    this.live('flush');
    await this.mirror?.write();
  }

  /** Re-buffers one changelog record: key bytes, value bytes, and the record's timestamp. */
  restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.live('restore');
    if (value === null) {
      throw new StreamwrightError(
        'DESERIALIZATION',
        `Join buffer "${this.name}": changelog ${this.topic} holds a tombstone, which a join buffer never writes. The topic holds another store's data; reset the application's state if the topology changed.`,
        { store: this.name, topic: this.topic },
      );
    }
    // The arena copies the value; the key bytes are kept (one per key), so they are copied here.
    const kb = Buffer.from(key);
    this.insert(kb, timestamp, value);
    if (this.mirror !== undefined) this.mirrorPut(this.mirror, timestamp, kb, Buffer.from(value));
    if (timestamp > this.restoredTime) this.restoredTime = timestamp;
  }

  async restoreBatchDone(): Promise<void> {
    await this.mirror?.write();
  }

  async restoreDone(): Promise<void> {
    if (this.restoredTime > -Infinity) this.expire(this.restoredTime);
    await this.mirror?.write();
  }

  /** Live entries, oldest first (for tests and diagnostics). */
  entries(): { key: K; timestamp: number; value: Buffer }[] {
    this.live('query');
    const out: { key: K; timestamp: number; value: Buffer }[] = [];
    this.log.forEach((key, timestamp, value) => {
      if (timestamp >= this.minLive) out.push({ key, timestamp, value });
    });
    // Stable: arrival order among equal timestamps.
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  private reset(): void {
    this.byId.clear();
    this.lastChain = undefined;
    this.log.clear();
    this.observed = this.minLive = this.sweepAt = this.restoredTime = -Infinity;
    this.ctx = undefined;
  }

  async close(): Promise<void> {
    this.reset();
    const m = this.mirror;
    this.mirror = undefined;
    await m?.close();
  }

  async destroy(): Promise<void> {
    this.reset();
    const m = this.mirror;
    this.mirror = undefined;
    await m?.destroy();
  }
}

function seqAndKey(seq: number, kb: Buffer): Buffer {
  const b = Buffer.allocUnsafe(SEQ_BYTES + kb.length);
  b.writeUInt32BE(seq, 0);
  kb.copy(b, SEQ_BYTES);
  return b;
}

export function createJoinBufferStore<K>(opts: StoreBuildOptions<K, unknown>): JoinBufferStore<K> {
  return new JoinBufferStore(opts);
}
