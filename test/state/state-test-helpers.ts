import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/runtime/logger.js';
import { Metrics } from '../../src/runtime/metrics.js';
import type { StoreContext } from '../../src/state/store-types.js';

export function tempDir(prefix = 'sw-state-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface LoggedChange {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface TestContext {
  readonly ctx: StoreContext;
  readonly changes: LoggedChange[];
  readonly metrics: Metrics;
}

/** A StoreContext that records changelog appends in memory. */
export function testContext(taskDir: string, store: string, opts: { logging?: boolean; taskId?: string; metrics?: Metrics } = {}): TestContext {
  const changes: LoggedChange[] = [];
  const metrics = opts.metrics ?? new Metrics();
  const ctx: StoreContext = {
    applicationId: 'app',
    taskId: opts.taskId ?? '0_0',
    partition: 0,
    taskDir,
    changelogTopic: opts.logging === false ? undefined : `app-${store}-changelog`,
    logChange(key, value, timestamp) {
      changes.push({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp });
    },
    metrics,
    logger: silentLogger,
  };
  return { ctx, changes, metrics };
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Kafka compaction of a changelog: last record per key wins; tombstones remove the key. */
export function compact(changes: readonly LoggedChange[]): Map<string, string> {
  const last = new Map<string, Buffer | null>();
  for (const c of changes) last.set(c.key.toString('latin1'), c.value);
  const out = new Map<string, string>();
  for (const [k, v] of last) if (v !== null) out.set(k, v.toString('utf8'));
  return out;
}

export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
