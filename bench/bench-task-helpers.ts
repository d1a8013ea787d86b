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

/**
 * The tasks opened last, kept reachable after they close. Benchmarks build a new task per round
 * and force a full GC between rounds (bench-stats.ts settle()); if nothing of the previous round
 * survived that GC, V8 would also drop the hidden classes its objects had (transitions are weak)
 * and deoptimize every function compiled against them, so each round would start cold: measured
 * on the stream-table join task, 4.0-4.8M records per CPU-second with per-round deopts of the
 * store and operator loops vs 5.8-6.6M without. A running application keeps its objects, so its
 * hidden classes live on; keeping the last tasks reachable gives the benchmarks that steady state.
 */
const recentTasks: BenchTask[] = [];
const KEEP_TASKS = 2;

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
  const bench: BenchTask = {
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
  recentTasks.push(bench);
  if (recentTasks.length > KEEP_TASKS) recentTasks.shift();
  return bench;
}
