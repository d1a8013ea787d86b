/**
 * Shared engine of window and session stores. Live windows are held in memory as typed values
 * (bounded by retention: expire() drops every window whose end <= stream time - retention).
 * Caching semantics match the key-value store: updates to a window between flushes are merged and
 * reach the changelog and the flush listener once at flush(); the byte budget bounds the dirty
 * windows (least-recently-updated flushed first); cacheMaxBytes = 0 sends every update through.
 * Persistent stores mirror flushed windows into LevelDB at flush(), so a restart loads LevelDB and
 * replays only the changelog tail after the checkpoint.
 */
import * as path from 'node:path';
import type { Serde } from '../graph/serde-types.js';
import { bytesId } from './key-codec.js';
import { LevelHandle, type LevelWrite } from './level-handle.js';
import { entrySizeForKeyBytes } from './size-estimator.js';
import { invalidWindowError, notOpenError } from './store-errors.js';
import type { CacheFlushListener, StoreContext, Windowed } from './store-types.js';
import { TimedKeyIndex } from './timed-key-index.js';
import { DirtyList, ExpiryIndex, findSlot, insertSlot, removeSlot, type KeySlots, type TimedSlot } from './timed-slots.js';

export interface TimedKeyLayout {
  readonly kind: 'window' | 'session';
  /** The stored key of a window: `keyId` is the serialized key's bytes as latin1 (bytesId). */
  encode(keyId: string, start: number, end: number): Buffer;
  decode(store: string, b: Buffer, where: string): { key: Buffer; start: number; end: number };
}

export interface TimedStoreConfig<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly logging: boolean;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly cacheMaxBytes: number;
  readonly retentionMs: number;
  readonly layout: TimedKeyLayout;
}

const DETACHED = { value: 0 };

export class TimedStoreCore<K, V> {
  private readonly keys: TimedKeyIndex<K, V>;
  /** Dirty slots, least recently updated first (the eviction order). */
  private readonly dirty = new DirtyList<K, V>();
  private dirtyBytes = 0;
  private readonly index: ExpiryIndex<K, V>;
  private observed = -Infinity;
  private db: LevelHandle | undefined;
  private pendingDb = new Map<string, LevelWrite>();
  private ctx: StoreContext | undefined;
  private logTo: StoreContext | undefined;
  private topic = '';
  private listener: CacheFlushListener<Windowed<K>, V> | undefined;
  private sendOldValues = false;
  private dropped = DETACHED;
  /** The slot the last get() found (a put of the same window follows it); cleared whenever a slot is removed. */
  private lastSlot: TimedSlot<K, V> | undefined = undefined;
  readonly counters = { puts: DETACHED, fetches: DETACHED, flushes: DETACHED, restores: DETACHED };

  constructor(readonly cfg: TimedStoreConfig<K, V>) {
    this.index = new ExpiryIndex(Math.max(1, Math.ceil(cfg.retentionMs / 8)));
    this.keys = new TimedKeyIndex(cfg.keySerde, cfg.name);
  }

  async open(ctx: StoreContext): Promise<void> {
    const tags = { task: ctx.taskId, store: this.cfg.name };
    this.counters.puts = ctx.metrics.counter('put-total', tags);
    this.counters.fetches = ctx.metrics.counter('fetch-total', tags);
    this.counters.flushes = ctx.metrics.counter('flush-total', tags);
    this.counters.restores = ctx.metrics.counter('restore-total', tags);
    this.dropped = ctx.metrics.counter('dropped-records-total', { ...tags, reason: 'expired-window' });
    this.topic = ctx.changelogTopic ?? `${ctx.applicationId}-${this.cfg.name}-changelog`;
    this.logTo = this.cfg.logging && ctx.changelogTopic !== undefined ? ctx : undefined;
    if (this.cfg.persistent) {
      const db = new LevelHandle(this.cfg.name, path.join(ctx.taskDir, this.cfg.name));
      await db.open();
      this.db = db;
      for (const [kb, vb] of await db.entries(undefined, undefined)) this.apply(kb, this.cfg.valueSerde.deserialize(this.topic, vb), `in LevelDB at ${db.dir}`);
    }
    this.ctx = ctx;
  }

  private live(op: string): StoreContext {
    if (this.ctx === undefined) throw notOpenError(this.cfg.name, op);
    return this.ctx;
  }

  private slotsFor(key: K, create: boolean): KeySlots<K, V> | undefined {
    return this.keys.slotsFor(key, create, this.topic);
  }

  /** The windows of key sorted by (end, start), including deleted ones not flushed yet. */
  slotsOf(key: K): readonly TimedSlot<K, V>[] | undefined {
    this.live('fetch');
    this.counters.fetches.value++;
    return this.slotsFor(key, false)?.slots;
  }

  get(key: K, start: number, end: number): V | undefined {
    this.live('fetch');
    this.counters.fetches.value++;
    const ks = this.slotsFor(key, false);
    if (ks === undefined) return undefined;
    const slot = findSlot(ks, start, end);
    this.lastSlot = slot;
    return slot?.value;
  }

  /** Timestamp of a window's current value (undefined when absent); does not count as a fetch. */
  timestampOf(key: K, start: number, end: number): number | undefined {
    this.live('fetch');
    const ks = this.slotsFor(key, false);
    if (ks === undefined) return undefined;
    const last = this.lastSlot;
    const slot = last !== undefined && last.owner === ks && last.start === start && last.end === end ? last : findSlot(ks, start, end);
    return slot?.value === undefined ? undefined : slot.timestamp;
  }

  put(key: K, start: number, end: number, value: V | undefined, timestamp: number): void {
    this.live('put');
    this.counters.puts.value++;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) throw invalidWindowError(this.cfg.layout.kind, this.cfg.name, this.ctx!.taskId, start, end);
    if (end <= this.observed - this.cfg.retentionMs) {
      this.dropped.value++; // Kafka drops writes to expired windows
      return;
    }
    // Without caching, serialize before changing anything, so a serde error leaves the store as it was.
    const vb = this.cfg.cacheMaxBytes === 0 && value !== undefined ? this.cfg.valueSerde.serialize(this.topic, value) : null;
    const ks = this.slotsFor(key, true)!;
    const last = this.lastSlot;
    let slot = last !== undefined && last.owner === ks && last.start === start && last.end === end ? last : findSlot(ks, start, end);
    if (slot === undefined) {
      if (value === undefined) {
        if (ks.slots.length === 0) this.forgetKey(ks);
        return;
      }
      slot = { owner: ks, start, end, value, dirty: false, flushed: undefined, timestamp, size: 0, prevDirty: null, nextDirty: null, indexed: false };
      insertSlot(ks, slot);
      this.index.add(slot);
    }
    if (this.cfg.cacheMaxBytes === 0) {
      slot.value = value;
      slot.timestamp = timestamp;
      this.flushSlot(slot, vb);
      return;
    }
    slot.value = value;
    slot.timestamp = timestamp;
    if (slot.dirty) {
      this.dirty.unlink(slot);
      this.dirtyBytes -= slot.size;
    }
    slot.dirty = true;
    slot.size = entrySizeForKeyBytes(ks.keyId.length, value) + 16;
    this.dirty.append(slot);
    this.dirtyBytes += slot.size;
    while (this.dirtyBytes > this.cfg.cacheMaxBytes && this.dirty.head !== null) this.flushSlot(this.dirty.head);
  }

  private undirty(slot: TimedSlot<K, V>): void {
    this.dirty.unlink(slot);
    this.dirtyBytes -= slot.size;
    slot.dirty = false;
  }

  /** Logs, mirrors and forwards a window's current value; a serde error leaves it dirty. */
  private flushSlot(slot: TimedSlot<K, V>, valueBytes?: Buffer | null): void {
    const old = slot.flushed;
    if (slot.value === undefined && old === undefined) {
      if (slot.dirty) this.undirty(slot);
      this.drop(slot);
      return;
    }
    const vb = valueBytes !== undefined ? valueBytes : slot.value === undefined ? null : this.cfg.valueSerde.serialize(this.topic, slot.value);
    if (slot.dirty) this.undirty(slot);
    if (slot.value === undefined) this.drop(slot);
    const kb = this.cfg.layout.encode(slot.owner.keyId, slot.start, slot.end);
    if (this.logTo !== undefined) this.logTo.logChange(kb, vb, slot.timestamp);
    if (this.db !== undefined) this.pendingDb.set(bytesId(kb), { key: kb, value: vb });
    slot.flushed = slot.value;
    if (this.listener !== undefined) {
      this.listener({ key: slot.owner.key, start: slot.start, end: slot.end }, slot.value, this.sendOldValues ? old : undefined, slot.timestamp);
    }
  }

  private drop(slot: TimedSlot<K, V>): void {
    removeSlot(slot);
    this.lastSlot = undefined;
    this.index.remove(slot);
    if (slot.owner.slots.length === 0) this.forgetKey(slot.owner);
  }

  private forgetKey(ks: KeySlots<K, V>): void {
    this.keys.forget(ks);
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  async flush(): Promise<void> {
    this.live('flush');
    this.counters.flushes.value++;
    for (const s of this.dirty.toArray()) if (s.dirty) this.flushSlot(s);
    await this.writeDb();
  }

  private async writeDb(): Promise<void> {
    if (this.db === undefined || this.pendingDb.size === 0) return;
    const pending = this.pendingDb;
    this.pendingDb = new Map();
    try {
      await this.db.write([...pending.values()]);
    } catch (e) {
      for (const [id, w] of pending) if (!this.pendingDb.has(id)) this.pendingDb.set(id, w);
      throw e;
    }
  }

  /** Drops windows with end <= streamTime - retention; dirty ones are flushed first so no update is lost. */
  expire(streamTime: number): void {
    this.live('expire');
    if (!(streamTime > this.observed)) return;
    this.observed = streamTime;
    for (const slot of this.index.takeExpired(streamTime - this.cfg.retentionMs)) {
      if (slot.dirty) this.flushSlot(slot);
      removeSlot(slot);
      this.lastSlot = undefined;
      if (slot.owner.slots.length === 0) this.forgetKey(slot.owner);
      if (this.db !== undefined) {
        const kb = this.cfg.layout.encode(slot.owner.keyId, slot.start, slot.end);
        this.pendingDb.set(bytesId(kb), { key: kb, value: null });
      }
    }
  }

  restore(key: Buffer, value: Buffer | null): void {
    this.live('restore');
    this.counters.restores.value++;
    this.apply(key, value === null ? undefined : this.cfg.valueSerde.deserialize(this.topic, value), `in changelog ${this.topic}`);
    if (this.db !== undefined) this.pendingDb.set(bytesId(key), { key: Buffer.from(key), value });
  }

  /** Sets a window's flushed state from stored bytes (LevelDB load or changelog record). */
  private apply(kb: Buffer, value: V | undefined, where: string): void {
    const { key: keyBytes, start, end } = this.cfg.layout.decode(this.cfg.name, kb, where);
    const ks = this.keys.slotsForBytes(keyBytes, value !== undefined, this.topic);
    if (ks === undefined) return;
    let slot = findSlot(ks, start, end);
    if (value === undefined) {
      if (slot !== undefined) {
        if (slot.dirty) this.undirty(slot);
        this.drop(slot);
      }
      return;
    }
    if (slot === undefined) {
      slot = { owner: ks, start, end, value, dirty: false, flushed: value, timestamp: 0, size: 0, prevDirty: null, nextDirty: null, indexed: false };
      insertSlot(ks, slot);
      this.index.add(slot);
    }
    slot.value = value;
    slot.flushed = value;
  }

  restoreBatchDone(): Promise<void> {
    return this.writeDb();
  }

  /** Every live (not deleted) window, ordered by start, then serialized key. */
  allSlots(filter: (s: TimedSlot<K, V>) => boolean): TimedSlot<K, V>[] {
    this.live('query');
    const out: TimedSlot<K, V>[] = [];
    for (const ks of this.keys.values()) for (const s of ks.slots) if (s.value !== undefined && filter(s)) out.push(s);
    // latin1 strings order like their bytes (unsigned, shorter prefix first), as Buffer.compare does.
    return out.sort((a, b) => a.start - b.start || a.end - b.end || (a.owner.keyId < b.owner.keyId ? -1 : a.owner.keyId > b.owner.keyId ? 1 : 0));
  }

  private reset(): void {
    for (const m of [this.keys, this.dirty, this.pendingDb, this.index]) m.clear();
    this.lastSlot = undefined;
    this.dirtyBytes = 0;
    this.observed = -Infinity;
    this.ctx = undefined;
  }

  async close(): Promise<void> {
    this.reset();
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  async destroy(): Promise<void> {
    this.reset();
    const db = this.db;
    this.db = undefined;
    await db?.destroy();
  }
}
