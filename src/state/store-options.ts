import type { StoreBuildOptions } from './store-types.js';
import { storeConfigError } from './store-errors.js';

function checkCommon<K, V>(o: StoreBuildOptions<K, V>): void {
  if (typeof o.name !== 'string' || o.name === '') throw storeConfigError(String(o.name), 'name', o.name, 'a non-empty store name');
  if (!o.keySerde) throw storeConfigError(o.name, 'keySerde', o.keySerde, 'a key Serde (e.g. Serdes.String())');
  if (!o.valueSerde) throw storeConfigError(o.name, 'valueSerde', o.valueSerde, 'a value Serde (e.g. Serdes.Json())');
  if (!(Number.isSafeInteger(o.cacheMaxBytes) && o.cacheMaxBytes >= 0)) {
    throw storeConfigError(o.name, 'cacheMaxBytes (statestore.cache.max.bytes)', o.cacheMaxBytes, 'a whole number of bytes >= 0 (0 disables caching)');
  }
}

export function validateKeyValueOptions<K, V>(o: StoreBuildOptions<K, V>): void {
  checkCommon(o);
}

function checkRetention<K, V>(o: StoreBuildOptions<K, V>): number {
  const r = o.retentionMs;
  if (r === undefined || !(Number.isSafeInteger(r) && r > 0)) {
    throw storeConfigError(o.name, 'retentionMs', r, 'a whole number of milliseconds > 0 (how long windows are kept after they end)');
  }
  return r;
}

/** Window stores need a size > 0 and a retention >= the size (Kafka's rule: a window must live at least its own length). */
export function validateWindowOptions<K, V>(o: StoreBuildOptions<K, V>): { retentionMs: number; windowSizeMs: number } {
  checkCommon(o);
  const s = o.windowSizeMs;
  if (s === undefined || !(Number.isSafeInteger(s) && s > 0)) {
    throw storeConfigError(o.name, 'windowSizeMs', s, 'a whole number of milliseconds > 0');
  }
  const retentionMs = checkRetention(o);
  if (retentionMs < s) {
    throw storeConfigError(o.name, 'retentionMs', retentionMs, `at least the window size (${s} ms); raise the retention or shrink the window`);
  }
  return { retentionMs, windowSizeMs: s };
}

export function validateSessionOptions<K, V>(o: StoreBuildOptions<K, V>): { retentionMs: number } {
  checkCommon(o);
  return { retentionMs: checkRetention(o) };
}
