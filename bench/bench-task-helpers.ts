/**
 * Builds a StreamTask for a topology's first sub-topology with its stores built and opened the
 * way the runtime does (createTaskStores + storeContextFor), for benchmarks that drive a task
 * synchronously without a log.
 */
import type { Topology } from '../src/graph/topology.js';
import { silentLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import type { RecordCollector } from '../src/runtime/record-collector.js';
import { StreamTask } from '../src/runtime/stream-task.js';
import { createTaskStores, storeContextFor, type TaskStoreEnv } from '../src/runtime/task-stores.js';
import type { StoreLifecycle } from '../src/state/store-types.js';

export interface BenchTask {
  readonly task: StreamTask;
  readonly stores: Map<string, StoreLifecycle>;
  /** Flushes every store, as a commit does. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openBenchTask(opts: { topology: Topology; collector: RecordCollector; stateDir: string; inMemory: boolean; cacheMaxBytes: number; applicationId: string }): Promise<BenchTask> {
  const { topology } = opts;
  const sub = topology.subtopologies[0];
  const metrics = new Metrics();
  const env: TaskStoreEnv = {
    applicationId: opts.applicationId,
    taskId: `${sub.id}_0`,
    partition: 0,
    appStateDir: opts.stateDir,
    metrics,
    logger: silentLogger,
    collector: opts.collector,
    cacheMaxBytes: opts.cacheMaxBytes,
    forceInMemory: opts.inMemory,
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
  };
  const stores = createTaskStores(topology, sub, env);
  for (const [name, store] of stores) await store.open(storeContextFor(topology.store(name)!, env));
  const task = new StreamTask({
    applicationId: env.applicationId,
    topology,
    subtopology: sub,
    partition: 0,
    collector: opts.collector,
    metrics,
    logger: silentLogger,
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
    deserializationHandler: 'log-and-fail',
    clock: Date.now,
    partitionsFor: () => 1,
    stores,
  });
  return {
    task,
    stores,
    flush: async () => {
      for (const s of stores.values()) await s.flush();
    },
    close: async () => {
      task.close();
      for (const s of stores.values()) await s.close();
    },
  };
}
