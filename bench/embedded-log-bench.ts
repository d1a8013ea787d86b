import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProducerRecord } from '../src/backend/backend-types.js';
import { openEmbeddedBackend } from '../src/backend/embedded/index.js';

export interface EmbeddedLogBenchResult {
  readonly records: number;
  readonly recordBytes: number;
  readonly batchSize: number;
  /** flush 'never'. */
  readonly appendRecordsPerSec: number;
  /** flush 'interval' (fsync every 1000 ms). */
  readonly appendIntervalRecordsPerSec: number;
  /** Cold read of the 'never' log through a consumer, decoding into FetchBatch columns. */
  readonly readRecordsPerSec: number;
}

async function appendRun(dir: string, flush: 'never' | 'interval', records: number, batch: ProducerRecord[]): Promise<number> {
  const b = await openEmbeddedBackend({ dataDir: dir, flush, flushIntervalMs: 1000 });
  await b.admin().createTopics([{ name: 'bench', partitions: 1 }]);
  const p = b.producer({});
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < records; done += batch.length) await p.send(batch);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await b.close();
  return records / secs;
}

/** Appends `records` 100-byte records (key 10 + value 90) in batches of 1000, then reads them back. */
export async function benchEmbeddedLog(opts: { records: number; dir: string; batchSize?: number }): Promise<EmbeddedLogBenchResult> {
  const batchSize = opts.batchSize ?? 1000;
  const records = Math.ceil(opts.records / batchSize) * batchSize;
  const batch: ProducerRecord[] = [];
  for (let i = 0; i < batchSize; i++) {
    batch.push({ topic: 'bench', partition: 0, key: Buffer.from(String(i).padStart(10, '0')), value: Buffer.alloc(90, 97 + (i % 26)), timestamp: 1_700_000_000_000 + i });
  }
  const neverDir = path.join(opts.dir, 'never');
  const intervalDir = path.join(opts.dir, 'interval');
  fs.rmSync(neverDir, { recursive: true, force: true });
  fs.rmSync(intervalDir, { recursive: true, force: true });
  const appendNever = await appendRun(neverDir, 'never', records, batch);
  const appendInterval = await appendRun(intervalDir, 'interval', records, batch);

  const b = await openEmbeddedBackend({ dataDir: neverDir, flush: 'never' });
  const c = b.consumer({});
  await c.assign([{ topic: 'bench', partition: 0, offset: 0 }]);
  let read = 0;
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  while (read < records) {
    const got = await c.poll({ maxRecords: 10_000, maxWaitMs: 1000 });
    if (got.length === 0) throw new Error(`read stalled at ${read} of ${records}`);
    for (const f of got) {
      read += f.size;
      checksum += f.values[f.size - 1]!.length;
    }
  }
  const readSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  await c.close();
  await b.close();
  if (checksum <= 0) throw new Error('nothing read');
  fs.rmSync(neverDir, { recursive: true, force: true });
  fs.rmSync(intervalDir, { recursive: true, force: true });
  return {
    records,
    recordBytes: 100,
    batchSize,
    appendRecordsPerSec: Math.round(appendNever),
    appendIntervalRecordsPerSec: Math.round(appendInterval),
    readRecordsPerSec: Math.round(records / readSecs),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-embedded-bench-'));
  const records = Number(process.env.BENCH_RECORDS ?? 2_000_000);
  benchEmbeddedLog({ records, dir })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      fs.rmSync(dir, { recursive: true, force: true });
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
