/**
 * Issue #3 benchmark (c): heap bytes per (key, window) aggregate held by the window store, vs a
 * plain Map holding the same aggregates. Runs in a child process started with --expose-gc so
 * the heap can be measured after full collections: heap after building minus heap before, both
 * after global.gc(), divided by the number of aggregates.
 *
 * Store side: an in-memory window store as the runtime builds it (10 MiB cache, logging on),
 * retention long enough that no window expires, fed by the same fetch + new aggregate + put per
 * bid as the window aggregate operator, then flushed (commit), so it holds every window's
 * aggregate and nothing dirty. Map side: Map<number, {count, sum}> keyed by window index × 2^21 +
 * auction, holding a fresh aggregate object per window with the same values.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import { Serdes } from '../src/serde/index.js';
import { createWindowStore } from '../src/state/window-store.js';
import { bidCycles } from './nexmark/bid-batches.js';
import type { Bid } from './nexmark/generator.js';
import { aggSerde, CACHE_BYTES, WINDOW_MS, windowId, type Agg } from './window-aggregate-bench.js';

export interface WindowMemoryResult {
  readonly bids: number;
  readonly aggregates: number;
  readonly storeBytesPerAggregate: number;
  readonly mapBytesPerAggregate: number;
  /** store / map */
  readonly ratio: number;
}

/** Keeps objects reachable across measurements (V8 frees locals it sees no further use of). */
const keepAlive: unknown[] = [];

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function measure(bids: number): Promise<WindowMemoryResult> {
  const data = bidCycles({ distinct: bids, cycles: 1, batchSize: 5000 });
  keepAlive.push(data);
  const before = heap();
  const store = createWindowStore<number, Agg>({
    name: 'auction-stats-store', keySerde: Serdes.Long(), valueSerde: aggSerde, persistent: false, logging: true,
    cacheMaxBytes: CACHE_BYTES, retentionMs: 365 * 86_400_000, windowSizeMs: WINDOW_MS, windowLayout: 'by-window',
  });
  let changelog = 0;
  await store.open({ applicationId: 'bench', taskId: '0_0', partition: 0, taskDir: '/nonexistent', changelogTopic: 'bench-auction-stats-store-changelog', logChange: () => void changelog++, metrics: new Metrics(), logger: silentLogger });
  for (const fb of data.cycles[0]) {
    for (let i = 0; i < fb.size; i++) {
      const key = fb.keys[i] as unknown as number;
      const ts = fb.timestamps[i];
      const start = ts - (ts % WINDOW_MS);
      const old = store.fetch(key, start) ?? { count: 0, sum: 0 };
      store.put(key, { count: old.count + 1, sum: old.sum + (fb.values[i] as unknown as Bid).price }, start, ts);
    }
  }
  await store.flush();
  const withStore = heap();
  const windows = await store.readOnly().all();
  const aggregates = windows.length;
  const copies = windows.map((w) => ({ id: windowId(w.key.key, w.key.start), count: w.value.count, sum: w.value.sum }));
  keepAlive.push(copies);
  windows.length = 0;
  await store.close();
  const base = heap();
  const map = new Map<number, Agg>();
  for (const c of copies) map.set(c.id, { count: c.count, sum: c.sum });
  keepAlive.push(map);
  const withMap = heap();
  if (map.size !== aggregates || changelog === 0) throw new Error(`map holds ${map.size} of ${aggregates} aggregates`);
  const storeBytes = (withStore - before) / aggregates;
  const mapBytes = (withMap - base) / aggregates;
  return { bids, aggregates, storeBytesPerAggregate: Math.round(storeBytes), mapBytesPerAggregate: Math.round(mapBytes), ratio: storeBytes / mapBytes };
}

/** Runs the measurement in a child process with --expose-gc (through tsx, like npm run bench). */
export function benchWindowMemory(opts: { bids: number }): WindowMemoryResult {
  const file = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { env: { ...process.env, BENCH_MEMORY_CHILD: String(opts.bids) }, encoding: 'utf8', timeout: 300_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`memory benchmark child failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(line) as WindowMemoryResult;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const child = process.env.BENCH_MEMORY_CHILD;
  const run = child !== undefined ? measure(Number(child)).then((r) => JSON.stringify(r)) : Promise.resolve(JSON.stringify(benchWindowMemory({ bids: Number(process.env.BENCH_RECORDS ?? 1_000_000) }), null, 2));
  run
    .then((s) => console.log(s))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
