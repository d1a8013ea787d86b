import { StreamwrightError } from '../errors/streamwright-error.js';
import { sessionKeyFromId, splitSessionKey } from './key-codec.js';
import { validateSessionOptions } from './store-options.js';
import type { KeyValueEntry, ReadOnlySessionStore, SessionStore, StoreBuildOptions, Windowed } from './store-types.js';
import { TimedStoreBase } from './timed-store-base.js';
import { lowerBound } from './timed-slots.js';
import { TimedStoreCore, type TimedKeyLayout } from './timed-store-core.js';

/** Session changelog/LevelDB key (Kafka's SessionKeySchema): serialized key + 8-byte end + 8-byte start. */
const sessionLayout: TimedKeyLayout = {
  kind: 'session',
  encode: (keyId, start, end) => sessionKeyFromId(keyId, start, end),
  decode: (store, b, where) => splitSessionKey(store, b, where),
};

/** Session store: a session of `key` is identified by [start, end]; sessions are listed by end, then start. */
export class SessionWindowStore<K, V> extends TimedStoreBase<K, V> implements SessionStore<K, V> {
  constructor(opts: StoreBuildOptions<K, V>) {
    const { retentionMs } = validateSessionOptions(opts);
    super(opts.name, opts.persistent, retentionMs, new TimedStoreCore<K, V>({ ...opts, retentionMs, layout: sessionLayout }));
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, V>[] {
    const slots = this.core.slotsOf(key);
    const out: KeyValueEntry<Windowed<K>, V>[] = [];
    if (slots === undefined) return out;
    for (let i = lowerBound(slots, -Infinity, earliestSessionEndTime); i < slots.length; i++) {
      const s = slots[i];
      if (s.start <= latestSessionStartTime && s.value !== undefined) out.push({ key: { key: s.owner.key, start: s.start, end: s.end }, value: s.value });
    }
    return out;
  }

  private checkSession(session: Windowed<K>, op: string): void {
    if (session === null || typeof session !== 'object') {
      throw new StreamwrightError('STATE_STORE', `Session store "${this.name}": ${op} needs a session { key, start, end }, got ${String(session)}.`, { store: this.name });
    }
  }

  put(session: Windowed<K>, value: V, timestamp?: number): void {
    this.checkSession(session, 'put');
    this.core.put(session.key, session.start, session.end, value ?? undefined, timestamp ?? Date.now());
  }

  remove(session: Windowed<K>, timestamp?: number): void {
    this.checkSession(session, 'remove');
    this.core.put(session.key, session.start, session.end, undefined, timestamp ?? Date.now());
  }

  readOnly(): ReadOnlySessionStore<K, V> {
    return {
      fetch: async (key) => this.findSessions(key, -Infinity, Infinity),
      findSessions: async (key, earliestEnd, latestStart) => this.findSessions(key, earliestEnd, latestStart),
    };
  }
}

/** Builds a session store (LevelDB-mirrored when persistent). CONFIG_INVALID for a bad retention. */
export function createSessionStore<K, V>(opts: StoreBuildOptions<K, V>): SessionStore<K, V> {
  return new SessionWindowStore(opts);
}
