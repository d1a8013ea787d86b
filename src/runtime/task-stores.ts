import * as path from 'node:path';
import type { Header } from '../graph/processor-types.js';
import type { Serde } from '../graph/serde-types.js';
import type { StoreSpec } from '../graph/store-spec.js';
import type { Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import { createKeyValueStore } from '../state/kv-store-factory.js';
import { createSessionStore } from '../state/session-store.js';
import { createJoinBufferStore } from '../state/join-buffer-store.js';
import { createWindowStore } from '../state/window-store.js';
import type { StoreContext, StoreLifecycle } from '../state/store-types.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RecordCollector } from './record-collector.js';

export interface TaskStoreEnv {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  /** `<state.dir>/<application.id>` */
  readonly appStateDir: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly collector: RecordCollector;
  /** statestore.cache.max.bytes, shared by the task's stores. */
  readonly cacheMaxBytes: number;
  /** The TopologyTestDriver runs every store in memory. */
  readonly forceInMemory?: boolean;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
}

export function changelogTopicOf(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/** Stores of one sub-topology, built for one task (not opened yet). */
export function createTaskStores(topology: Topology, sub: Subtopology, env: TaskStoreEnv): Map<string, StoreLifecycle> {
  const stores = new Map<string, StoreLifecycle>();
  const specs = sub.stores.map((name) => topology.store(name)!);
  const perStoreCache = specs.length === 0 ? 0 : Math.floor(env.cacheMaxBytes / specs.length);
  for (const spec of specs) stores.set(spec.name, buildStore(spec, env, spec.caching ? perStoreCache : 0));
  return stores;
}

function buildStore(spec: StoreSpec, env: TaskStoreEnv, cacheMaxBytes: number): StoreLifecycle {
  const keySerde = spec.keySerde ?? env.defaultKeySerde;
  const valueSerde = spec.valueSerde ?? env.defaultValueSerde;
  if (!keySerde || !valueSerde) {
    throw new StreamwrightError('SERDE_MISSING', `State store "${spec.name}" has no ${keySerde ? 'value' : 'key'} serde. Pass it in Materialized ({ keySerde, valueSerde }) or set default.key.serde / default.value.serde.`, { store: spec.name });
  }
  const opts = {
    name: spec.name,
    keySerde,
    valueSerde,
    persistent: spec.persistent && !env.forceInMemory,
    logging: spec.logging,
    cacheMaxBytes,
    retentionMs: spec.retentionMs,
    windowSizeMs: spec.windowSizeMs,
    windowLayout: spec.windowLayout,
  };
  switch (spec.type) {
    case 'keyValue':
      return createKeyValueStore(opts);
    case 'window':
      // Stream-stream join buffers keep every record (Kafka's retainDuplicates window store).
      return spec.retainDuplicates === true ? createJoinBufferStore(opts) : createWindowStore(opts);
    case 'session':
      return createSessionStore(opts);
  }
}

/** The context a store of this task logs through. */
export function storeContextFor(spec: StoreSpec, env: TaskStoreEnv): StoreContext {
  const changelogTopic = spec.logging ? changelogTopicOf(env.applicationId, spec.name) : undefined;
  return {
    applicationId: env.applicationId,
    taskId: env.taskId,
    partition: env.partition,
    taskDir: path.join(env.appStateDir, env.taskId),
    changelogTopic,
    logChange: (key: Buffer, value: Buffer | null, timestamp: number, headers?: readonly Header[]) => {
      if (changelogTopic !== undefined) env.collector.send(changelogTopic, env.partition, key, value, timestamp, headers);
    },
    metrics: env.metrics,
    logger: env.logger,
  };
}
