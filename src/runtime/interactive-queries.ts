import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type {
  KeyValueEntry,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  StoreLifecycle,
  WindowStore,
  Windowed,
} from '../state/store-types.js';

/** The local instances of one store, one per task that runs it. */
export type LocalStores = () => StoreLifecycle[];

/**
 * Read-only views over every local task's instance of a store (Kafka Streams' composite stores
 * for interactive queries): point lookups return the first hit, scans concatenate the tasks'
 * results. Each call sees the tasks running at that moment.
 */
export function queryableStore(topology: Topology, name: string, local: LocalStores): ReadOnlyKeyValueStore<unknown, unknown> | ReadOnlyWindowStore<unknown, unknown> | ReadOnlySessionStore<unknown, unknown> {
  const spec = topology.store(name);
  if (!spec) {
    throw new StreamwrightError('STATE_STORE', `No state store "${name}" in this topology. Queryable stores: ${topology.stores.map((s) => s.name).join(', ') || 'none'}.`, { store: name });
  }
  switch (spec.type) {
    case 'keyValue':
      return keyValueView(() => local().map((s) => (s as KeyValueStore<unknown, unknown>).readOnly()));
    case 'window':
      return windowView(() => local().map((s) => (s as WindowStore<unknown, unknown>).readOnly()));
    case 'session':
      return sessionView(() => local().map((s) => (s as SessionStore<unknown, unknown>).readOnly()));
  }
}

async function firstHit<S, R>(stores: S[], get: (s: S) => Promise<R | undefined>): Promise<R | undefined> {
  for (const s of stores) {
    const v = await get(s);
    if (v !== undefined) return v;
  }
  return undefined;
}

async function concat<S, R>(stores: S[], scan: (s: S) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (const s of stores) out.push(...(await scan(s)));
  return out;
}

function keyValueView(stores: () => ReadOnlyKeyValueStore<unknown, unknown>[]): ReadOnlyKeyValueStore<unknown, unknown> {
  return {
    get: async (key) => firstHit(stores(), (s) => s.get(key)),
    range: async (from, to) => concat(stores(), (s) => s.range(from, to)),
    all: async () => concat(stores(), (s) => s.all()),
    approximateNumEntries: async () => {
      let n = 0;
      for (const s of stores()) n += await s.approximateNumEntries();
      return n;
    },
  };
}

function windowView(stores: () => ReadOnlyWindowStore<unknown, unknown>[]): ReadOnlyWindowStore<unknown, unknown> {
  const byStart = (a: KeyValueEntry<Windowed<unknown>, unknown>, b: KeyValueEntry<Windowed<unknown>, unknown>) => a.key.start - b.key.start;
  return {
    fetch: async (key, start) => firstHit(stores(), (s) => s.fetch(key, start)),
    fetchRange: async (key, from, to) => (await concat(stores(), (s) => s.fetchRange(key, from, to))).sort(byStart),
    fetchAll: async (from, to) => concat(stores(), (s) => s.fetchAll(from, to)),
    all: async () => concat(stores(), (s) => s.all()),
  };
}

function sessionView(stores: () => ReadOnlySessionStore<unknown, unknown>[]): ReadOnlySessionStore<unknown, unknown> {
  return {
    fetch: async (key) => concat(stores(), (s) => s.fetch(key)),
    findSessions: async (key, earliestEnd, latestStart) => concat(stores(), (s) => s.findSessions(key, earliestEnd, latestStart)),
  };
}
