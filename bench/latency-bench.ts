import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { LogConsumer, LogProducer, ProducerRecord } from '../src/backend/backend-types.js';
import { openEmbeddedBackend, type FlushPolicy } from '../src/backend/embedded/index.js';
import { StreamsBuilder } from '../src/dsl/index.js';
import { silentLogger } from '../src/runtime/logger.js';
import { StreamsApp } from '../src/runtime/streams-app.js';
import { Serdes } from '../src/serde/index.js';
import { median, quantileSorted } from './bench-stats.js';

/**
 * Benchmark (d): end-to-end latency at a steady input rate on the embedded log, all in one process
 * (as an embedded deployment runs). A producer appends `rate` records/s in small batches driven by a
 * 1 ms timer (each tick sends the records due by then), stamping each 100-byte value with the
 * time it was due at the steady rate (performance.now() scale, float64 at byte 0), so that a late
 * tick (a busy event loop) counts as latency instead of hiding it (no coordinated omission). A running StreamsApp filters input -> output
 * (a filter that keeps every record: pass-through semantics, real operator). A consumer polls the
 * output and records, per record, receive time minus stamp. Samples from the first `warmupMs` are
 * dropped.
 */

export interface LatencyRun {
  readonly records: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Diagnostics over the measured window: the longest GC pause, the event loop's p99 and max delay. */
  readonly gcMaxMs: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Times the OS took the CPU away from this process (another process ran). */
  readonly involuntaryContextSwitches: number;
}

export interface LatencyResult {
  readonly rate: number;
  readonly seconds: number;
  /** Producer -> StreamsApp (filter) -> output topic -> consumer. */
  readonly app: LatencySummary;
  /** Baseline: producer -> input topic -> consumer, no app (absent when not requested). */
  readonly logOnly: LatencySummary | undefined;
  readonly settings: Readonly<Record<string, string | number>>;
}

export interface LatencySummary {
  readonly runs: readonly LatencyRun[];
  /** Medians over the runs. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const VALUE_BYTES = 100;

interface Probe {
  readonly latencies: Float64Array;
  count: number;
  /** Records received at all (warm-up included). */
  received: number;
  measureFrom: number;
  stopped: boolean;
}

async function consume(consumer: LogConsumer, probe: Probe): Promise<void> {
  while (!probe.stopped) {
    const batches = await consumer.poll({ maxRecords: 10_000, maxWaitMs: 50 });
    const now = performance.now();
    for (const fb of batches) {
      for (let i = 0; i < fb.size; i++) {
        const sent = fb.values[i]!.readDoubleLE(0);
        probe.received++;
        if (sent >= probe.measureFrom && probe.count < probe.latencies.length) probe.latencies[probe.count++] = now - sent;
      }
    }
  }
}

/** Sends the records due at `rate` each tick until `endAt`; returns how many it sent while measuring. */
function produce(producer: LogProducer, topic: string, rate: number, startAt: number, measureFrom: number, endAt: number): Promise<number> {
  const pool: Buffer[] = [];
  const records: ProducerRecord[] = [];
  let sent = 0;
  let sentMeasured = 0;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const now = performance.now();
      if (now >= endAt) {
        resolve(sentMeasured);
        return;
      }
      const due = Math.floor(((now - startAt) * rate) / 1000) - sent;
      records.length = 0;
      const wallNow = Date.now();
      for (let i = 0; i < due; i++) {
        if (pool.length <= i) pool.push(Buffer.alloc(VALUE_BYTES, 120));
        // The time this record was due (not when the tick ran), so a late tick counts as latency.
        const dueAt = startAt + ((sent + i + 1) * 1000) / rate;
        if (dueAt >= measureFrom) sentMeasured++;
        pool[i].writeDoubleLE(dueAt, 0);
        records.push({ topic, partition: 0, key: null, value: pool[i], timestamp: wallNow });
      }
      sent += due;
      // The log copies the values synchronously on append, so the pool can be reused next tick.
      const p = due > 0 ? producer.send(records) : Promise.resolve([]);
      p.then(() => setTimeout(tick, 1), reject);
    };
    tick();
  });
}

/** withApp false: the baseline, the consumer reads the input topic directly (log only, no app). */
async function latencyRun(
  dir: string,
  run: number,
  withApp: boolean,
  rate: number,
  warmupMs: number,
  measureMs: number,
  flush: FlushPolicy,
  flushIntervalMs: number,
  settings: Record<string, string | number>,
): Promise<LatencyRun> {
  const dataDir = path.join(dir, `latency-${withApp ? 'app' : 'log'}-${run}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const backend = await openEmbeddedBackend({ dataDir, flush, flushIntervalMs });
  try {
    await backend.admin().createTopics([{ name: 'lat-in', partitions: 1 }, { name: 'lat-out', partitions: 1 }]);
    const builder = new StreamsBuilder();
    builder.stream<Buffer | null, Buffer>('lat-in', { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() }).filter((_k, v) => v !== null).to('lat-out');
    const app = withApp ? new StreamsApp(builder.build(), { 'application.id': 'bench-latency', ...settings }, { backend, logger: silentLogger }) : undefined;
    await app?.start();
    await app?.waitUntilRunning(10_000);
    const consumer = backend.consumer({});
    await consumer.assign([{ topic: withApp ? 'lat-out' : 'lat-in', partition: 0, offset: 0 }]);
    const startAt = performance.now();
    const measureFrom = startAt + warmupMs;
    const endAt = measureFrom + measureMs;
    const probe: Probe = { latencies: new Float64Array(Math.ceil((rate * measureMs) / 1000) + 10_000), count: 0, received: 0, measureFrom, stopped: false };
    const consuming = consume(consumer, probe);
    const producer = backend.producer({});
    let gcMaxMs = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= measureFrom && e.duration > gcMaxMs) gcMaxMs = e.duration;
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const startMeasuring = setTimeout(() => loopDelay.enable(), warmupMs);
    const switchesBefore = process.resourceUsage().involuntaryContextSwitches;
    const sentMeasured = await produce(producer, 'lat-in', rate, startAt, measureFrom, endAt);
    loopDelay.disable();
    clearTimeout(startMeasuring);
    gcObserver.disconnect();
    const involuntaryContextSwitches = process.resourceUsage().involuntaryContextSwitches - switchesBefore;
    // Let the last records arrive (bounded wait).
    const drainUntil = performance.now() + 2000;
    while (probe.count < sentMeasured && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
    probe.stopped = true;
    await consuming;
    await consumer.close();
    await app?.close();
    if (probe.count !== sentMeasured) throw new Error(`latency run received ${probe.count} of ${sentMeasured} measured records`);
    const sorted = probe.latencies.subarray(0, probe.count).sort();
    return {
      records: probe.count,
      achievedRate: Math.round(sentMeasured / (measureMs / 1000)),
      p50Ms: quantileSorted(sorted, probe.count, 0.5),
      p99Ms: quantileSorted(sorted, probe.count, 0.99),
      maxMs: sorted[probe.count - 1],
      gcMaxMs,
      loopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
      involuntaryContextSwitches,
    };
  } finally {
    await backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchLatency(opts: {
  dir: string;
  rate?: number;
  warmupMs?: number;
  measureMs?: number;
  runs?: number;
  flush?: FlushPolicy;
  /** fsync period under flush 'interval' (log.flush.interval.ms). Default 1000. */
  flushIntervalMs?: number;
  /** Also measure the log-only baseline (default true). */
  baseline?: boolean;
  log?: (msg: string) => void;
}): Promise<LatencyResult> {
  const rate = opts.rate ?? 100_000;
  const measureMs = opts.measureMs ?? 5000;
  const flush = opts.flush ?? 'interval';
  const flushIntervalMs = opts.flushIntervalMs ?? 1000;
  const log = opts.log ?? (() => undefined);
  const settings = { 'poll.ms': 100, 'max.poll.records': 1000, 'commit.interval.ms': 30_000, 'processing.guarantee': 'at_least_once' };
  const app: LatencyRun[] = [];
  const logOnly: LatencyRun[] = [];
  const show = (what: string, r: number, res: LatencyRun): void =>
    log(
      `  latency ${what} run ${r + 1}: ${res.records} records at ${res.achievedRate}/s, p50 ${res.p50Ms.toFixed(3)} ms, p99 ${res.p99Ms.toFixed(3)} ms, max ${res.maxMs.toFixed(3)} ms; ` +
        `longest GC pause ${res.gcMaxMs.toFixed(1)} ms, event-loop delay p99 ${res.loopDelayP99Ms.toFixed(1)} ms / max ${res.loopDelayMaxMs.toFixed(1)} ms, ${res.involuntaryContextSwitches} involuntary context switches`,
    );
  for (let r = 0; r < (opts.runs ?? 3); r++) {
    if (opts.baseline !== false) {
      const base = await latencyRun(opts.dir, r, false, rate, opts.warmupMs ?? 1000, measureMs, flush, flushIntervalMs, settings);
      show(`log-only (flush ${flush})`, r, base);
      logOnly.push(base);
    }
    const res = await latencyRun(opts.dir, r, true, rate, opts.warmupMs ?? 1000, measureMs, flush, flushIntervalMs, settings);
    show(`app (flush ${flush})`, r, res);
    app.push(res);
  }
  return { rate, seconds: measureMs / 1000, app: summarize(app), logOnly: logOnly.length > 0 ? summarize(logOnly) : undefined, settings: { ...settings, 'log.flush': flush, 'log.flush.interval.ms': flushIntervalMs } };
}

function summarize(runs: readonly LatencyRun[]): LatencySummary {
  return { runs, p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)), maxMs: median(runs.map((r) => r.maxMs)) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-latency-bench-'));
  benchLatency({ dir, rate: Number(process.env.BENCH_RATE ?? 100_000), flush: (process.env.BENCH_FLUSH as FlushPolicy | undefined) ?? 'interval', flushIntervalMs: Number(process.env.BENCH_FLUSH_INTERVAL_MS ?? 1000), log: console.log })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}
