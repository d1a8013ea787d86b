import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEmbeddedLog } from './embedded-log-bench.js';
import { fmt, median } from './bench-stats.js';
import { benchJsonPipeline } from './json-pipeline-bench.js';
import { benchLatency, type LatencyRun } from './latency-bench.js';
import { benchRawFile, measureFdatasync } from './raw-file-baseline-bench.js';
import { machineInfo, renderReport, verdict, type Figure, type Section } from './report-writer.js';
import { benchRuntimePipeline, type RuntimePipelineResult } from './runtime-pipeline-bench.js';
import { stateAndJoinFigures } from './state-join-figures.js';

/**
 * `npm run bench`: runs every benchmark, prints progress, and writes BENCHMARKS.md at the
 * repository root. Sizes can be scaled down for a quick check with BENCH_SCALE (e.g. 0.1).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scale = Number(process.env.BENCH_SCALE ?? 1);
const log = (msg: string): void => console.log(msg);
const n = (records: number): number => Math.max(10_000, Math.round((records * scale) / 10_000) * 10_000);

function latencyTable(runs: readonly LatencyRun[]): string {
  const rows = runs.map(
    (r, i) =>
      `| ${i + 1} | ${r.records.toLocaleString('en-US')} | ${r.achievedRate.toLocaleString('en-US')}/s | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.maxMs.toFixed(3)} | ${r.gcMaxMs.toFixed(1)} | ${r.loopDelayP99Ms.toFixed(1)} / ${r.loopDelayMaxMs.toFixed(1)} | ${r.involuntaryContextSwitches} |`,
  );
  return ['| Run | Records measured | Input rate | p50 ms | p99 ms | max ms | Longest GC pause ms | Event-loop delay p99 / max ms | Involuntary context switches |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

const list = (xs: readonly number[]): string => xs.map(fmt).join(', ');

function runtimeSection(a: RuntimePipelineResult): Section {
  const mapper = a.mapper === 'q1' ? '(v) => ({ auction: v.auction, bidder: v.bidder, price: v.price * 0.908 })' : '(v) => v.price * 0.908';
  return {
    title: `(a${a.mapper === 'q1' ? '' : "'"}) Runtime per-record overhead, ${a.mapper === 'q1' ? 'Nexmark q1 mapper' : 'number mapper'} (bench/runtime-pipeline-bench.ts)`,
    body: [
      `${a.records.toLocaleString('en-US')} records (${a.distinct.toLocaleString('en-US')} distinct pre-built bid objects cycled ${a.records / a.distinct} times) in FetchBatch objects of ${a.batchSize} records go through \`stream('bids').filter((k, v) => v.auction % 10 !== 0).mapValues(${mapper}).to('prices')\` (the filter keeps 90%), built with the DSL and run by a real StreamTask (the operators StreamsApp runs), driven synchronously: addRecords(batch) then process(). A pass-through serde hands the objects through, so no serialization is measured; no log, no event loop. The collector counts records and keeps the last one; the count and last value are checked against an independent computation.`,
      'Baseline: a hand-written loop over the same FetchBatch columns calling the same predicate and mapper and collecting into the same kind of counting collector.',
      `Measured in records per CPU-second of this process (user + system time of all its threads, so the GC's helper threads count), because this is single-threaded synchronous compute on a shared machine: the wall clock also counts the time the OS gave the CPU to other processes, which hits the two sides of a round unequally. Runs (records per CPU-second): StreamTask ${list(a.runtimeRuns)}; loop ${list(a.loopRuns)}. The same runs by the wall clock (records/s): StreamTask ${list(a.runtimeWallRuns)}; loop ${list(a.loopWallRuns)}. Value and baseline are medians; the ratio is the median of the per-round ratios (each round runs the loop and the task back to back), after ${a.warmups} warm-up round(s).`,
    ],
  };
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  let cpuShare = NaN;
  const date = new Date();
  const machine = machineInfo();
  log(`Streamwright benchmarks on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, load ${machine.loadAverage}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-bench-'));
  const figures: Figure[] = [];
  const sections: Section[] = [];
  try {
    log('(a) runtime pipeline: filter + mapValues + sink in a StreamTask vs a hand loop');
    const a = await benchRuntimePipeline({ records: n(10_000_000), mapper: 'q1', runs: 7, log });
    const a2 = await benchRuntimePipeline({ records: n(10_000_000), mapper: 'number', runs: 7, log });
    figures.push(
      {
        id: '(a)',
        name: 'in-memory filter + mapValues (Nexmark q1) + sink through a StreamTask',
        value: a.runtimeRecordsPerSec,
        unit: 'records/CPU-s',
        baseline: { name: 'hand-written loop', value: a.loopRecordsPerSec },
        ratio: a.ratio,
        target: { kind: 'min-ratio', threshold: 0.3 },
      },
      {
        id: "(a')",
        name: 'the same with a mapper returning a number (no allocation in user code)',
        value: a2.runtimeRecordsPerSec,
        unit: 'records/CPU-s',
        baseline: { name: 'hand-written loop', value: a2.loopRecordsPerSec },
        ratio: a2.ratio,
      },
    );
    sections.push(runtimeSection(a), runtimeSection(a2));
    // CPU-seconds per wall second inside the timed (a) runs: wall rate / CPU rate.
    const shares = [a, a2].flatMap((r) => [...r.runtimeRuns.map((c, i) => r.runtimeWallRuns[i] / c), ...r.loopRuns.map((c, i) => r.loopWallRuns[i] / c)]);
    cpuShare = median(shares);
    log(`  CPU share inside the timed (a) runs: ${cpuShare.toFixed(2)} CPU-seconds per wall second (median)`);

    log('(b) embedded log append and read, 100-byte records');
    const bRecords = n(2_000_000);
    const b = await benchEmbeddedLog({ records: bRecords, dir: path.join(dir, 'embedded-log') });
    const raw = benchRawFile({ records: bRecords, dir: path.join(dir, 'raw') });
    log(`  append ${fmt(b.appendRecordsPerSec)}/s (flush never), ${fmt(b.appendIntervalRecordsPerSec)}/s (flush interval), read ${fmt(b.readRecordsPerSec)}/s; raw file write ${fmt(raw.writeRecordsPerSec)}/s, read ${fmt(raw.readRecordsPerSec)}/s`);
    figures.push(
      { id: '(b)', name: 'embedded log append, flush never', value: b.appendRecordsPerSec, unit: 'records/s', baseline: { name: 'raw fs.writeSync', value: raw.writeRecordsPerSec }, ratio: b.appendRecordsPerSec / raw.writeRecordsPerSec },
      { id: '(b)', name: 'embedded log append, flush interval (1 s)', value: b.appendIntervalRecordsPerSec, unit: 'records/s', baseline: { name: 'raw fs.writeSync', value: raw.writeRecordsPerSec }, ratio: b.appendIntervalRecordsPerSec / raw.writeRecordsPerSec },
      { id: '(b)', name: 'embedded log read (consumer poll)', value: b.readRecordsPerSec, unit: 'records/s', baseline: { name: 'raw fs.readSync', value: raw.readRecordsPerSec }, ratio: b.readRecordsPerSec / raw.readRecordsPerSec },
    );
    sections.push({
      title: '(b) Embedded log append and read (bench/embedded-log-bench.ts)',
      body: [
        `benchEmbeddedLog (owned by the embedded-log engineer): ${b.records.toLocaleString('en-US')} records of ${b.recordBytes} bytes (10-byte key, 90-byte value) appended by one producer in sends of ${b.batchSize}, to a fresh log with flush 'never' and again with flush 'interval' (fsync every 1000 ms); then a cold read of the 'never' log by one consumer (poll of up to 10,000 records, decoded into FetchBatch columns). One run each (no warm-up, no median).`,
        `Baseline (bench/raw-file-baseline-bench.ts): the same records copied 1,000 at a time into one chunk and written with fs.writeSync (no framing, checksum or fsync), then read back with fs.readSync in 1 MB chunks with one Buffer view per key and value: about the ceiling of one Node process on this disk. No target was set for (b).`,
      ],
    });


    log('(c) JSON in -> filter -> JSON out through the embedded log vs a JSON.parse/stringify loop');
    const c = await benchJsonPipeline({ records: n(500_000), dir, runs: 5, log });
    figures.push({
      id: '(c)',
      name: 'JSON -> filter -> JSON through a StreamsApp on the embedded log',
      value: c.appRecordsPerSec,
      unit: 'records/s',
      baseline: { name: 'JSON.parse + JSON.stringify loop', value: c.loopRecordsPerSec },
      ratio: c.ratio,
      target: { kind: 'min-ratio', threshold: 0.6 },
    });
    sections.push({
      title: '(c) JSON pipeline through the embedded log (bench/json-pipeline-bench.ts)',
      body: [
        `${c.records.toLocaleString('en-US')} Nexmark-like bids as JSON (about ${c.avgValueBytes} bytes each, null keys) are pre-produced to a 1-partition topic. Each measured run starts a new StreamsApp (new application.id, new output topic) running \`stream(in, String/Json).filter(price % 2 == 0).to(out)\`, which keeps ${c.kept.toLocaleString('en-US')} records. The time runs from app.start() (topic checks, group join included) until the output topic's end offset reaches the expected count (checked about every millisecond), i.e. read, deserialize, filter, serialize and append, all through the embedded log in this process. The first app run also reads the output back and compares every record with the expected JSON.`,
        `Settings: ${Object.entries(c.settings).map(([k, v]) => `\`${k}=${v}\``).join(', ')}.`,
        'Baseline: over the same input Buffers in memory, `JSON.parse(buf.toString())`, the same filter, `Buffer.from(JSON.stringify(v))` for the kept records.',
        `Runs (input records/s, wall clock): app ${list(c.appRuns)}; loop ${list(c.loopRuns)}. Value and baseline are medians; the ratio is the median of the per-round ratios, after ${c.warmups} warm-up round(s).`,
        `The same runs per CPU-second of the process (Nexmark's throughput-per-core view; the app's idle waits and the ~1 ms end-offset checks do not count): app ${list(c.appCpuRuns)}; loop ${list(c.loopCpuRuns)}; median of the per-round ratios ${(median(c.appCpuRuns.map((x, i) => x / c.loopCpuRuns[i])) * 100).toFixed(1)}%.`,
      ],
    });

    const sj = await stateAndJoinFigures({ dir, n, log });
    figures.push(...sj.figures);
    sections.push(...sj.sections);

    log('(d) end-to-end latency at 100K records/s on the embedded log');
    const measureMs = Math.max(1000, Math.round(5000 * Math.min(1, scale)));
    const d = await benchLatency({ dir, rate: 100_000, measureMs, log });
    const logOnly = d.logOnly!;
    figures.push({
      id: '(d)',
      name: `end-to-end p99 latency at ${d.rate.toLocaleString('en-US')} records/s`,
      value: d.app.p99Ms,
      unit: 'ms',
      baseline: { name: 'log only, no app', value: logOnly.p99Ms },
      ratio: d.app.p99Ms / logOnly.p99Ms,
      target: { kind: 'max-value', threshold: 5 },
    });
    log("(d') the same with log.flush=never (no fsync), app only");
    const dn = await benchLatency({ dir, rate: 100_000, measureMs, flush: 'never', baseline: false, log });
    const fsyncMs = measureFdatasync({ dir: path.join(dir, 'fsync') });
    log(`  fdatasync of 10 MB: ${fsyncMs.toFixed(1)} ms`);
    figures.push({
      id: "(d')",
      name: `end-to-end p99 latency at ${dn.rate.toLocaleString('en-US')} records/s, log.flush=never`,
      value: dn.app.p99Ms,
      unit: 'ms',
      target: { kind: 'max-value', threshold: 5 },
    });
    sections.push({
      title: '(d) End-to-end latency (bench/latency-bench.ts)',
      body: [
        `In one process: a producer appends ${d.rate.toLocaleString('en-US')} records/s of 100 bytes to a 1-partition input topic, driven by a 1 ms timer (each tick sends the records due by then). Each value carries the time the record was due at the steady rate, so a late tick (busy event loop, GC, the OS running another process) counts as latency. A running StreamsApp (\`stream(in, Bytes).filter(v != null).to(out)\`) copies input to output; a consumer polls the output and records receive time minus due time per record. After 1 s of warm-up, ${d.seconds} s are measured per run; p50/p99/max are over all records of a run, and the table's figure is the median over runs.`,
        `Settings: ${Object.entries(d.settings).map(([k, v]) => `\`${k}=${v}\``).join(', ')}. poll() returns as soon as an append wakes it, so \`poll.ms\` only bounds idle waits.`,
        `Baseline: the same producer and consumer with no app (the consumer reads the input topic): p50 ${logOnly.p50Ms.toFixed(3)} ms, p99 ${logOnly.p99Ms.toFixed(3)} ms, max ${logOnly.maxMs.toFixed(3)} ms (medians over runs).`,
        `With the app: p50 ${d.app.p50Ms.toFixed(3)} ms, p99 ${d.app.p99Ms.toFixed(3)} ms, max ${d.app.maxMs.toFixed(3)} ms (medians over runs).`,
        `With the app, per run:\n\n${latencyTable(d.app.runs)}`,
        `Log only, per run:\n\n${latencyTable(logOnly.runs)}`,
        `(d') The same app with \`log.flush=never\` (the OS writes pages back; nothing is fsynced): p50 ${dn.app.p50Ms.toFixed(3)} ms, p99 ${dn.app.p99Ms.toFixed(3)} ms, max ${dn.app.maxMs.toFixed(3)} ms. With \`log.flush=interval\` the log fdatasyncs every dirty segment file once a second on libuv's thread pool, off the event loop (about 10 MB per topic per second at this rate; an fdatasync of 10 MB took ${fsyncMs.toFixed(1)} ms on this disk in this run, median of 3, which used to stall processing when it ran on the event loop). Per run:\n\n${latencyTable(dn.app.runs)}`,
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const durationSecs = Number(process.hrtime.bigint() - started) / 1e9;
  const report = renderReport({ date, machine, loadAfter: os.loadavg().map((l) => l.toFixed(2)).join(' / '), durationSecs, cpuShare, figures, sections });
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), report);
  log('');
  for (const f of figures) log(`${verdict(f).padEnd(4)} ${f.id} ${f.name}: ${f.unit === 'ms' ? `${f.value.toFixed(2)} ms` : `${fmt(f.value)} ${f.unit}`}`);
  log(`Wrote BENCHMARKS.md (${durationSecs.toFixed(0)} s).`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
