/**
 * State store benchmark: (1) restore rate of a persistent key-value store from its changelog on
 * the embedded log, through TaskStateManager (poll, apply, LevelDB batch writes) and, for
 * comparison, into the in-memory engine; (2) count-style get+put throughput of the key-value store
 * on LevelDB with the default 10 MB cache vs on the in-memory engine, including the runtime's
 * per-run prefetch and a flush (commit) every 10 runs. Run alone: `npx tsx bench/state-store-bench.ts`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProducerRecord } from '../src/backend/backend-types.js';
import { openEmbeddedBackend } from '../src/backend/embedded/index.js';
import { silentLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import { Serdes } from '../src/serde/index.js';
import { createKeyValueStore } from '../src/state/kv-store-factory.js';
import type { KeyValueStore, StoreContext } from '../src/state/store-types.js';
import { TaskStateManager } from '../src/state/task-state-manager.js';

export interface StateStoreBenchResult {
  readonly changelogRecords: number;
  readonly distinctKeys: number;
  readonly restoreLevelRecordsPerSec: number;
  readonly restoreMemoryRecordsPerSec: number;
  readonly operations: number;
  /** get + put per second, LevelDB engine + 10 MB cache. */
  readonly kvLevelCachedOpsPerSec: number;
  /** get + put per second, in-memory engine + 10 MB cache. */
  readonly kvMemoryOpsPerSec: number;
  /** LevelDB / memory. */
  readonly levelToMemoryRatio: number;
}

const TOPIC = 'bench-counts-changelog';
const CACHE = 10 * 1024 * 1024;

function store(persistent: boolean): KeyValueStore<string, number> {
  return createKeyValueStore({ name: 'counts', keySerde: Serdes.String(), valueSerde: Serdes.Long(), persistent, logging: true, cacheMaxBytes: CACHE });
}

async function restoreRate(dir: string, persistent: boolean, records: number): Promise<number> {
  const backend = await openEmbeddedBackend({ dataDir: path.join(dir, 'log'), flush: 'never', maintenanceIntervalMs: 0 });
  try {
    const taskDir = path.join(dir, `task-${persistent ? 'level' : 'memory'}`);
    fs.rmSync(taskDir, { recursive: true, force: true });
    const s = store(persistent);
    const m = new TaskStateManager({
      applicationId: 'bench', taskId: '0_0', partition: 0, taskDir, eos: false, backend,
      stores: [{ store: s, changelogTopic: TOPIC }], logChange: () => {}, metrics: new Metrics(), logger: silentLogger,
    });
    const t0 = process.hrtime.bigint();
    const [summary] = await m.openAll();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (summary.restored !== records) throw new Error(`restored ${summary.restored} of ${records}`);
    await m.closeAll(true);
    return records / secs;
  } finally {
    await backend.close();
  }
}

async function writeChangelog(dir: string, records: number, keys: number): Promise<void> {
  const backend = await openEmbeddedBackend({ dataDir: path.join(dir, 'log'), flush: 'never', maintenanceIntervalMs: 0 });
  await backend.admin().createTopics([{ name: TOPIC, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
  const p = backend.producer({});
  const long = Serdes.Long();
  for (let done = 0; done < records; ) {
    const batch: ProducerRecord[] = [];
    for (let i = 0; i < 5000 && done < records; i++, done++) batch.push({ topic: TOPIC, partition: 0, key: Buffer.from(`key-${done % keys}`), value: long.serialize(TOPIC, done), timestamp: done });
    await p.send(batch);
  }
  await p.close();
  await backend.close();
}

async function kvThroughput(dir: string, persistent: boolean, operations: number, keys: number): Promise<number> {
  const taskDir = path.join(dir, `kv-${persistent ? 'level' : 'memory'}`);
  fs.rmSync(taskDir, { recursive: true, force: true });
  const s = store(persistent);
  const ctx: StoreContext = { applicationId: 'bench', taskId: '0_0', partition: 0, taskDir, changelogTopic: TOPIC, logChange: () => {}, metrics: new Metrics(), logger: silentLogger };
  await s.open(ctx);
  const run = 1000;
  const runKeys: string[] = new Array(run);
  let seed = 12345;
  const t0 = process.hrtime.bigint();
  let checksum = 0;
  for (let r = 0; r * run < operations / 2; r++) {
    for (let i = 0; i < run; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      runKeys[i] = `key-${seed % keys}`;
    }
    const p = s.prefetch(runKeys);
    if (p !== undefined) await p;
    for (let i = 0; i < run; i++) {
      const k = runKeys[i];
      const v = (s.get(k) ?? 0) + 1;
      s.put(k, v, i);
      checksum += v;
    }
    if (r % 10 === 9) await s.flush();
  }
  await s.flush();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await s.close();
  if (checksum <= 0) throw new Error('nothing counted');
  return operations / secs;
}

export async function benchStateStore(opts: { records: number; dir: string; keys?: number }): Promise<StateStoreBenchResult> {
  const keys = opts.keys ?? 100_000;
  fs.rmSync(path.join(opts.dir, 'log'), { recursive: true, force: true });
  await writeChangelog(opts.dir, opts.records, keys);
  const restoreLevel = await restoreRate(opts.dir, true, opts.records);
  const restoreMemory = await restoreRate(opts.dir, false, opts.records);
  const level = await kvThroughput(opts.dir, true, opts.records, keys);
  const memory = await kvThroughput(opts.dir, false, opts.records, keys);
  return {
    changelogRecords: opts.records,
    distinctKeys: keys,
    restoreLevelRecordsPerSec: Math.round(restoreLevel),
    restoreMemoryRecordsPerSec: Math.round(restoreMemory),
    operations: opts.records,
    kvLevelCachedOpsPerSec: Math.round(level),
    kvMemoryOpsPerSec: Math.round(memory),
    levelToMemoryRatio: Number((level / memory).toFixed(3)),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-state-bench-'));
  const records = Number(process.env.BENCH_RECORDS ?? 500_000);
  benchStateStore({ records, dir })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}
