import type { Topology } from '../../../src/graph/topology.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { Metrics } from '../../../src/runtime/metrics.js';
import type { TaskOptions } from '../../../src/runtime/stream-task.js';
import { createTaskStores, storeContextFor, type TaskStoreEnv } from '../../../src/runtime/task-stores.js';
import type { StoreLifecycle } from '../../../src/state/store-types.js';
import { taskFor, type Harness } from './task-harness.js';

/** taskFor() with the sub-topology's stores built and opened in memory, as the runtime builds them
 * (record cache of `cacheMaxBytes`; changelog records go to the task's collector). */
export async function taskWithStores(topology: Topology, opts: Partial<TaskOptions> & { cacheMaxBytes?: number } = {}): Promise<Harness & { stores: Map<string, StoreLifecycle> }> {
  const metrics = opts.metrics ?? new Metrics();
  const env: TaskStoreEnv = {
    applicationId: opts.applicationId ?? 'app',
    taskId: '0_0',
    partition: 0,
    appStateDir: '',
    metrics,
    logger: silentLogger,
    collector: { send: (...args) => harness.task.collector.send(...args) },
    cacheMaxBytes: opts.cacheMaxBytes ?? 0,
    forceInMemory: true,
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
  };
  const sub = topology.subtopologies[0];
  const stores = createTaskStores(topology, sub, env);
  for (const [name, store] of stores) await store.open(storeContextFor(topology.store(name)!, env));
  const harness = taskFor(topology, { ...opts, metrics, stores });
  return { ...harness, stores };
}
