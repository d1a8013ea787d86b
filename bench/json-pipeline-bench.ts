import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '../src/backend/backend-types.js';
import { openEmbeddedBackend } from '../src/backend/embedded/index.js';
import { StreamsBuilder } from '../src/dsl/index.js';
import { silentLogger } from '../src/runtime/logger.js';
import { StreamsApp } from '../src/runtime/streams-app.js';
import { Serdes } from '../src/serde/index.js';
import { endOffset, produceAll, waitForEndOffset } from './bench-embedded-helpers.js';
import { elapsed, median, pairedRatio, pairedRuns, startStopwatch } from './bench-stats.js';

/**
 * Benchmark (c): JSON in -> filter -> JSON out through the embedded log with a real StreamsApp
 * (String keys, Json values, null keys on the wire), against a loop doing
 * JSON.parse(buf.toString()) -> the same filter -> Buffer.from(JSON.stringify()) over the same
 * input Buffers in memory. The app is timed from start() to the moment the output topic's end
 * offset reaches the expected count (input pre-produced; the end offset checked every ~1 ms).
 */

export interface JsonBid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
}

export interface JsonPipelineResult {
  readonly records: number;
  readonly avgValueBytes: number;
  readonly kept: number;
  readonly warmups: number;
  /** Median of the per-round ratios app / loop. */
  readonly ratio: number;
  readonly appRecordsPerSec: number;
  readonly loopRecordsPerSec: number;
  readonly appRuns: readonly number[];
  readonly loopRuns: readonly number[];
  /** The same runs in input records per CPU-second of the process (Nexmark's per-core view). */
  readonly appCpuRuns: readonly number[];
  readonly loopCpuRuns: readonly number[];
  readonly settings: Readonly<Record<string, string | number>>;
}

/** Keeps about half of the bids (so both parsing and serialising matter). */
const keepBid = (_k: unknown, v: JsonBid): boolean => v.price % 2 === 0;

const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

/** Deterministic Nexmark-like bids as JSON Buffers (about 120 bytes each). */
export function buildJsonBids(n: number, seed = 42): Buffer[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const auction = 1000 + Math.floor(rnd() * 100);
    const bid: JsonBid = {
      auction,
      bidder: 2000 + Math.floor(rnd() * 1000),
      price: Math.round(10 ** (6 * rnd()) * 100),
      channel: CHANNELS[i % 4],
      url: `https://www.nexmark.com/item.htm?query=1&channel_id=${auction}`,
      dateTime: 1_700_000_000_000 + i,
    };
    out.push(Buffer.from(JSON.stringify(bid), 'utf8'));
  }
  return out;
}

function runLoop(values: readonly Buffer[], expectedKept: number, cpuRates: number[]): number {
  let kept = 0;
  let bytes = 0;
  const sw = startStopwatch();
  for (let i = 0; i < values.length; i++) {
    const v = JSON.parse(values[i].toString('utf8')) as JsonBid;
    if (keepBid(null, v)) {
      const b = Buffer.from(JSON.stringify(v), 'utf8');
      kept++;
      bytes += b.length;
    }
  }
  const t = elapsed(sw);
  if (kept !== expectedKept || bytes <= 0) throw new Error(`loop kept ${kept} records, expected ${expectedKept}`);
  cpuRates.push(values.length / t.cpuSecs);
  return values.length / t.wallSecs;
}

interface AppRun {
  readonly backend: Backend;
  readonly input: string;
  readonly inputRecords: number;
  readonly expectedKept: number;
  readonly settings: Readonly<Record<string, string | number>>;
}

/** Starts a fresh app (own application.id and output topic) and times it until the output is complete. */
async function runApp(r: AppRun, run: number, cpuRates: number[], verify?: readonly string[]): Promise<number> {
  const { backend } = r;
  const output = `bench-json-out-${run}`;
  await backend.admin().createTopics([{ name: output, partitions: 1 }]);
  const builder = new StreamsBuilder();
  builder.stream<string | null, JsonBid>(r.input, { keySerde: Serdes.String(), valueSerde: Serdes.Json<JsonBid>() }).filter(keepBid).to(output);
  const config = { 'application.id': `bench-json-${run}`, 'default.key.serde': 'String', 'default.value.serde': 'Json', ...r.settings };
  const app = new StreamsApp(builder.build(), config, { backend, logger: silentLogger });
  const sw = startStopwatch();
  await app.start();
  await waitForEndOffset(backend.admin(), output, r.expectedKept, 120_000);
  const t = elapsed(sw);
  await app.close();
  const n = await endOffset(backend.admin(), output);
  if (n !== r.expectedKept) throw new Error(`app wrote ${n} records to ${output}, expected ${r.expectedKept}`);
  if (verify !== undefined) await verifyOutput(backend, output, verify);
  await backend.admin().deleteTopics([output]);
  cpuRates.push(r.inputRecords / t.cpuSecs);
  return r.inputRecords / t.wallSecs;
}

/** Reads an output topic back and compares it with the expected JSON texts, record by record. */
async function verifyOutput(backend: Backend, output: string, expected: readonly string[]): Promise<void> {
  const c = backend.consumer({});
  await c.assign([{ topic: output, partition: 0, offset: 0 }]);
  let i = 0;
  while (i < expected.length) {
    const got = await c.poll({ maxRecords: 10_000, maxWaitMs: 1000 });
    if (got.length === 0) throw new Error(`verification read stalled at ${i} of ${expected.length}`);
    for (const fb of got) {
      for (let k = 0; k < fb.size; k++, i++) {
        const v = fb.values[k]?.toString('utf8');
        if (v !== expected[i] || fb.keys[k] !== null) throw new Error(`output record ${i} is ${v}, expected ${expected[i]}`);
      }
    }
  }
  await c.close();
}

export async function benchJsonPipeline(
  opts: { records?: number; dir: string; warmups?: number; runs?: number; maxPollRecords?: number; log?: (msg: string) => void },
): Promise<JsonPipelineResult> {
  const records = opts.records ?? 500_000;
  const log = opts.log ?? (() => undefined);
  const settings = { 'max.poll.records': opts.maxPollRecords ?? 10_000, 'poll.ms': 100, 'commit.interval.ms': 30_000, 'processing.guarantee': 'at_least_once' };
  const values = buildJsonBids(records);
  let expectedKept = 0;
  let bytes = 0;
  for (const b of values) {
    bytes += b.length;
    if (keepBid(null, JSON.parse(b.toString('utf8')) as JsonBid)) expectedKept++;
  }
  const dataDir = path.join(opts.dir, 'json-pipeline');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const backend = await openEmbeddedBackend({ dataDir, flush: 'interval', flushIntervalMs: 1000 });
  try {
    await backend.admin().createTopics([{ name: 'bench-json-in', partitions: 1 }]);
    await produceAll(backend.producer({}), 'bench-json-in', values);
    const r: AppRun = { backend, input: 'bench-json-in', inputRecords: records, expectedKept, settings };
    // The first (warm-up) app run also reads its output back and checks every record.
    const expectedTexts: string[] = [];
    for (const b of values) {
      const v = JSON.parse(b.toString('utf8')) as JsonBid;
      if (keepBid(null, v)) expectedTexts.push(JSON.stringify(v));
    }
    let run = 0;
    const warmups = opts.warmups ?? 1;
    const loopCpu: number[] = [];
    const appCpu: number[] = [];
    const runs = await pairedRuns(
      { warmups, runs: opts.runs ?? 3, label: 'json pipeline', log },
      () => runLoop(values, expectedKept, loopCpu),
      () => runApp(r, run, appCpu, run++ === 0 ? expectedTexts : undefined),
    );
    return {
      records,
      avgValueBytes: Math.round(bytes / records),
      kept: expectedKept,
      warmups,
      ratio: pairedRatio(runs),
      appRecordsPerSec: Math.round(median(runs.subject)),
      loopRecordsPerSec: Math.round(median(runs.baseline)),
      appRuns: runs.subject.map(Math.round),
      loopRuns: runs.baseline.map(Math.round),
      appCpuRuns: appCpu.slice(warmups).map(Math.round),
      loopCpuRuns: loopCpu.slice(warmups).map(Math.round),
      settings: { ...settings, 'log.flush': 'interval', 'log.flush.interval.ms': 1000 },
    };
  } finally {
    await backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-json-bench-'));
  benchJsonPipeline({ records: Number(process.env.BENCH_RECORDS ?? 500_000), dir, log: console.log })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}
