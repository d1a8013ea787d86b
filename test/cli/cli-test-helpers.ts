import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { FetchBatch, LogConsumer } from '../../src/backend/backend-types.js';
import { acquireEmbeddedBackend, type BackendLease } from '../../src/runtime/backend-resolver.js';
import { runCli } from '../../src/cli/cli-runner.js';
import type { CliIo } from '../../src/cli/cli-io.js';

export function tempDir(prefix = 'sw-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A Writable that keeps everything written, optionally calling `onWrite` after each chunk. */
export class CaptureStream extends Writable {
  text = '';
  /** Awaited before a write is acknowledged; with a small highWaterMark the writer waits for it ('drain'). */
  gate: ((chunk: string) => Promise<void>) | undefined;

  constructor(opts: { highWaterMark?: number } = {}) {
    super({ highWaterMark: opts.highWaterMark });
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const s = chunk.toString();
    this.text += s;
    if (this.gate) this.gate(s).then(() => cb(), cb);
    else cb();
  }

  lines(): string[] {
    return this.text === '' ? [] : this.text.replace(/\n$/, '').split('\n');
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

export interface CliOptions {
  /** stdin content (a string, or chunks delivered one by one); default: empty. */
  readonly stdin?: string | readonly string[] | Readable;
  readonly env?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
  readonly stdout?: CaptureStream;
  readonly stderr?: CaptureStream;
}

/** Runs the CLI in-process with captured streams. */
export async function cli(argv: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  const stdout = opts.stdout ?? new CaptureStream();
  const stderr = opts.stderr ?? new CaptureStream();
  const stdin = opts.stdin instanceof Readable ? opts.stdin : Readable.from(typeof opts.stdin === 'string' ? [Buffer.from(opts.stdin)] : (opts.stdin ?? []).map((c) => Buffer.from(c)));
  const io: CliIo = { stdin, stdout, stderr, env: opts.env ?? {}, signal: opts.signal };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text, lines: stdout.lines() };
}

/** A stdin that stays open until end() (for interactive-style tests). */
export function openStdin(): PassThrough {
  return new PassThrough();
}

/** Opens the embedded log at `dir` in this process (shared with the CLI's own opens). */
export function openLog(dir: string): Promise<BackendLease> {
  return acquireEmbeddedBackend(dir, { flush: 'never' });
}

export interface Seen {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
}

/** Every record of `topic`, read straight from the backend (not through the CLI). */
export async function readTopic(dir: string, topic: string): Promise<Seen[]> {
  const lease = await openLog(dir);
  try {
    const admin = lease.backend.admin();
    const ends = await admin.listOffsets(topic);
    const c: LogConsumer = lease.backend.consumer({});
    await c.assign(ends.map((e) => ({ topic, partition: e.partition, offset: e.earliest })));
    const total = ends.reduce((n, e) => n + e.latest - e.earliest, 0);
    const out: Seen[] = [];
    for (let i = 0; i < 1000 && out.length < total; i++) {
      const got: FetchBatch[] = await c.poll({ maxRecords: 10_000, maxWaitMs: 0 });
      if (got.length === 0) break;
      for (const b of got) {
        for (let j = 0; j < b.size; j++) {
          out.push({ partition: b.partition, offset: b.offsets[j], key: b.keys[j]?.toString() ?? null, value: b.values[j]?.toString() ?? null, timestamp: b.timestamps[j] });
        }
      }
    }
    await c.close();
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    await lease.release();
  }
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes (then throws). */
export async function eventually(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
