import { BucketedWindowStore } from './bucketed-window-store.js';
import { splitWindowKey, windowKeyFromId } from './key-codec.js';
import { validateWindowOptions } from './store-options.js';
import type { KeyValueEntry, ReadOnlyWindowStore, StoreBuildOptions, WindowStore, Windowed } from './store-types.js';
import { TimedStoreBase } from './timed-store-base.js';
import { TimedStoreCore, type TimedKeyLayout } from './timed-store-core.js';

/** Window changelog/LevelDB key: serialized key + 8-byte big-endian window start (FORMAT.md). */
function windowLayout(sizeMs: number): TimedKeyLayout {
  return {
    kind: 'window',
    encode: (keyId, start) => windowKeyFromId(keyId, start),
    decode: (store, b, where) => {
      const { key, start } = splitWindowKey(store, b, where);
      return { key, start, end: start + sizeMs };
    },
  };
}

/**
 * Fixed-size window store (tumbling/hopping windows): a window of `key` is identified by its start;
 * its end is start + windowSizeMs (exclusive). Live windows are kept in memory; see TimedStoreCore.
 */
export class TimeWindowStore<K, V> extends TimedStoreBase<K, V> implements WindowStore<K, V> {
  readonly windowSizeMs: number;

  constructor(opts: StoreBuildOptions<K, V>) {
    const { retentionMs, windowSizeMs } = validateWindowOptions(opts);
    super(opts.name, opts.persistent, retentionMs, new TimedStoreCore<K, V>({ ...opts, retentionMs, layout: windowLayout(windowSizeMs) }));
    this.windowSizeMs = windowSizeMs;
  }

  fetch(key: K, windowStart: number): V | undefined {
    return this.core.get(key, windowStart, windowStart + this.windowSizeMs);
  }

  fetchTimestamp(key: K, windowStart: number): number | undefined {
    return this.core.timestampOf(key, windowStart, windowStart + this.windowSizeMs);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    const slots = this.core.slotsOf(key);
    const out: KeyValueEntry<Windowed<K>, V>[] = [];
    if (slots === undefined) return out;
    for (const s of slots) {
      if (s.start < timeFrom || s.value === undefined) continue;
      if (s.start > timeTo) break;
      out.push({ key: { key: s.owner.key, start: s.start, end: s.end }, value: s.value });
    }
    return out;
  }

  put(key: K, value: V | undefined, windowStart: number, timestamp?: number): void {
    this.core.put(key, windowStart, windowStart + this.windowSizeMs, value ?? undefined, timestamp ?? Date.now());
  }

  readOnly(): ReadOnlyWindowStore<K, V> {
    const toEntries = (from: number, to: number) =>
      this.core.allSlots((s) => s.start >= from && s.start <= to).map((s) => ({ key: { key: s.owner.key, start: s.start, end: s.end }, value: s.value! }));
    return {
      fetch: async (key, windowStart) => this.fetch(key, windowStart),
      fetchRange: async (key, from, to) => this.fetchRange(key, from, to),
      fetchAll: async (from, to) => toEntries(from, to),
      all: async () => toEntries(-Infinity, Infinity),
    };
  }
}

/** Builds a window store (LevelDB-mirrored when persistent), laid out by window or by key as the
 * options say. CONFIG_INVALID for a bad size or retention. */
export function createWindowStore<K, V>(opts: StoreBuildOptions<K, V>): WindowStore<K, V> {
  return opts.windowLayout === 'by-window' ? new BucketedWindowStore(opts) : new TimeWindowStore(opts);
}
