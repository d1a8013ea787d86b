import * as path from 'node:path';
import type { Backend } from '../backend/backend-types.js';
import type { Subtopology } from '../graph/subtopology.js';
import type { Topology } from '../graph/topology.js';
import type { RestoreProgress } from '../state/changelog-restorer.js';
import type { KeyValueStore, StoreLifecycle } from '../state/store-types.js';
import { TaskStateManager } from '../state/task-state-manager.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RecordCollector } from './record-collector.js';
import { StreamTask } from './stream-task.js';
import type { StreamsConfig } from './streams-config.js';
import { changelogTopicOf, createTaskStores, type TaskStoreEnv } from './task-stores.js';

export interface TaskFactoryEnv {
  readonly topology: Topology;
  readonly config: StreamsConfig;
  readonly backend: Backend;
  readonly collector: RecordCollector;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly partitionsFor: (topic: string) => number | undefined;
  readonly onRestoreProgress?: (progress: RestoreProgress & { readonly taskId: string }) => void;
}

/** A task and, when its sub-topology has stores, the manager of their state. */
export interface ActiveTask {
  readonly task: StreamTask;
  readonly state: TaskStateManager | undefined;
}

/**
 * Creates a task: builds its stores, opens them and restores them from their changelogs
 * (checkpoint onward, or from the beginning without local state), then wires the operators.
 */
export async function createActiveTask(env: TaskFactoryEnv, sub: Subtopology, partition: number): Promise<ActiveTask> {
  const { config, topology } = env;
  const taskId = `${sub.id}_${partition}`;
  let stores = new Map<string, StoreLifecycle>();
  let state: TaskStateManager | undefined;
  if (sub.stores.length > 0) {
    const storeEnv: TaskStoreEnv = {
      applicationId: config.applicationId,
      taskId,
      partition,
      appStateDir: path.join(config.stateDir, config.applicationId),
      metrics: env.metrics,
      logger: env.logger,
      collector: env.collector,
      cacheMaxBytes: config.cacheMaxBytes,
      defaultKeySerde: config.defaultKeySerde,
      defaultValueSerde: config.defaultValueSerde,
    };
    stores = createTaskStores(topology, sub, storeEnv);
    state = new TaskStateManager({
      applicationId: config.applicationId,
      taskId,
      partition,
      taskDir: path.join(storeEnv.appStateDir, taskId),
      eos: config.processingGuarantee === 'exactly_once_v2',
      backend: env.backend,
      stores: [...stores].map(([name, store]) => ({ store, changelogTopic: topology.store(name)!.logging ? changelogTopicOf(config.applicationId, name) : undefined })),
      logChange: (topic, p, key, value, timestamp, headers) => env.collector.send(topic, p, key, value, timestamp, headers),
      metrics: env.metrics,
      logger: env.logger,
      onRestoreProgress: (p) => {
        if (p.total > 0 && (p.done || p.restored > 0)) {
          env.logger.info(`Restoring ${p.store} (task ${taskId}): ${p.restored}/${p.total} records, ${Math.round(p.ratePerSec)} records/s${p.done ? ', done' : ''}`);
        }
        env.onRestoreProgress?.({ ...p, taskId });
      },
    });
    await state.openAll();
  }
  // Prefetch the source keys into LevelDB key-value stores keyed by them. A suppress buffer is keyed
  // by the table's (often windowed) key and loads its own entries in its asynchronous step.
  const ownLoading = new Set(sub.nodes.flatMap((n) => (n.kind === 'suppress' && n.store !== undefined ? [n.store] : [])));
  const prefetching = [...stores.entries()]
    .filter(([name, store]) => topology.store(name)!.type === 'keyValue' && store.persistent && !ownLoading.has(name))
    .map(([, store]) => store as KeyValueStore<unknown, unknown>);
  const task = new StreamTask({
    applicationId: config.applicationId,
    topology,
    subtopology: sub,
    partition,
    collector: env.collector,
    metrics: env.metrics,
    logger: env.logger,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    deserializationHandler: config.deserializationHandler,
    clock: Date.now,
    partitionsFor: env.partitionsFor,
    stores,
    prefetch: prefetching.length === 0 ? undefined : prefetchAll(prefetching),
    maxTaskIdleMs: config.maxTaskIdleMs,
  });
  return { task, state };
}

/** One prefetch function over a task's LevelDB key-value stores. */
function prefetchAll(stores: KeyValueStore<unknown, unknown>[]): (keys: readonly unknown[], count: number) => Promise<void> | undefined {
  return (keys, count) => {
    const wanted: unknown[] = [];
    for (let i = 0; i < count; i++) if (keys[i] !== null && keys[i] !== undefined) wanted.push(keys[i]);
    if (wanted.length === 0) return undefined;
    let pending: Promise<void>[] | undefined;
    for (const s of stores) {
      const p = s.prefetch(wanted);
      if (p !== undefined) (pending ??= []).push(p);
    }
    return pending === undefined ? undefined : pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined);
  };
}
