import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FetchBatch, Header, LogConsumer } from '../../../src/backend/backend-types.js';
import type { EmbeddedBackend } from '../../../src/backend/embedded/index.js';

export function tempDir(prefix = 'sw-embedded-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fetched record as plain data, for comparing with a reference model. */
export interface SeenRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers?: { key: string; value: string | null }[];
}

export function flatten(batches: readonly FetchBatch[]): SeenRecord[] {
  const out: SeenRecord[] = [];
  for (const b of batches) {
    expectColumns(b);
    for (let i = 0; i < b.size; i++) {
      const hs: readonly Header[] | undefined = b.headers[i];
      out.push({
        topic: b.topic,
        partition: b.partition,
        offset: b.offsets[i],
        timestamp: b.timestamps[i],
        key: b.keys[i]?.toString() ?? null,
        value: b.values[i]?.toString() ?? null,
        ...(hs === undefined ? {} : { headers: hs.map((h) => ({ key: h.key, value: h.value?.toString() ?? null })) }),
      });
    }
  }
  return out;
}

function expectColumns(b: FetchBatch): void {
  for (const col of [b.offsets, b.timestamps, b.keys, b.values, b.headers]) {
    if (col.length !== b.size) throw new Error(`column length ${col.length} != size ${b.size}`);
  }
}

/** Reads every visible record of `topic` from the start through a manually assigned consumer. */
export async function readAll(
  backend: EmbeddedBackend,
  topic: string,
  opts: { isolationLevel?: 'read_committed' | 'read_uncommitted'; maxRecords?: number } = {},
): Promise<SeenRecord[]> {
  const admin = backend.admin();
  const ends = await admin.listOffsets(topic);
  const c: LogConsumer = backend.consumer({ isolationLevel: opts.isolationLevel ?? 'read_uncommitted' });
  await c.assign(ends.map((e) => ({ topic, partition: e.partition, offset: e.earliest })));
  const out: SeenRecord[] = [];
  for (let i = 0; i < 100_000; i++) {
    const got = await c.poll({ maxRecords: opts.maxRecords ?? 10_000, maxWaitMs: 0 });
    if (got.length === 0) break;
    out.push(...flatten(got));
  }
  await c.close();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export function buf(s: string): Buffer {
  return Buffer.from(s);
}
