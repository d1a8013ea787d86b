/**
 * suppress(untilWindowCloses) with BufferConfig.maxRecords(10).spillToDiskWhenFull() in a real
 * StreamsApp on the embedded log: dozens of windows are open at once, so most of the buffer lives
 * only in its LevelDB store. The output must be exactly the reference model's closed windows
 * (test/reference/window-models.ts), each once, in window-end order; and a restart from the
 * changelog alone (state dir wiped) must bring the spilled entries back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend-types.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../src/dsl/suppressed.js';
import { TimeWindows } from '../../src/dsl/windows.js';
import type { Windowed } from '../../src/graph/processor-types.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { aggFns } from '../reference/aggregation-kinds.js';
import { randomRecords, type InputRecord } from '../reference/random-input.js';
import { closedWindows, finalStreamTime, timeWindowModel, windowId } from '../reference/window-models.js';
import { silentLogger } from './fixtures/app-test-helpers.js';
import { waitCommittedToEnd } from './fixtures/stateful-app-helpers.js';
import { embeddedEnv, readTopic } from './fixtures/stateful-log-env.js';

const S = Serdes.String();
const L = Serdes.Long();
const SIZE = 10;
const GRACE = 40;
const W = WindowedSerdes.timeWindowed(S, SIZE);
const APP = 'suppress-spill';
const TIME_LIMIT = 25;

function topology(kind: 'windows' | 'timeLimit') {
  const b = new StreamsBuilder();
  if (kind === 'timeLimit') {
    b.table('in', { keySerde: S, valueSerde: S }, { caching: false })
      .suppress(Suppressed.untilTimeLimit(TIME_LIMIT, BufferConfig.maxRecords(3).spillToDiskWhenFull()).withName('final'))
      .toStream()
      .to('out', { keySerde: S, valueSerde: S });
    return b.build();
  }
  b.stream('in', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, GRACE))
    .count()
    .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(10).spillToDiskWhenFull()).withName('final'))
    .toStream()
    .to('out', { keySerde: W, valueSerde: L });
  return b.build();
}

async function produceRecords(b: Backend, records: readonly InputRecord[]): Promise<void> {
  const p = b.producer({ clientId: 'spill-test-producer' });
  try {
    await p.send(records.map((r) => ({ topic: 'in', partition: 0, key: Buffer.from(r.key), value: Buffer.from(String(r.value)), timestamp: r.ts })));
  } finally {
    await p.close();
  }
}

async function runApp(b: Backend, stateDir: string, records: readonly InputRecord[], kind: 'windows' | 'timeLimit' = 'windows'): Promise<void> {
  await produceRecords(b, records);
  const app = new StreamsApp(
    topology(kind),
    { 'application.id': APP, 'state.dir': stateDir, 'processing.guarantee': 'at_least_once', 'commit.interval.ms': 50, 'poll.ms': 10, 'max.poll.records': 25, 'statestore.cache.max.bytes': 0, 'log.level': 'silent' },
    { logger: silentLogger, backend: b },
  );
  let fatal: string | undefined;
  app.setUncaughtExceptionHandler((e) => {
    fatal = e.stack ?? e.message;
    return 'SHUTDOWN_CLIENT';
  });
  try {
    await app.start();
    await app.waitUntilRunning(10_000);
    await waitCommittedToEnd(b, APP, 'in', 20_000, () => fatal);
  } finally {
    await app.close();
  }
}

interface Out {
  readonly id: string;
  readonly end: number;
  readonly count: number;
}

async function outputs(b: Backend): Promise<Out[]> {
  const raw = await readTopic(b, 'out', 'read_uncommitted', false);
  return raw.map((r) => {
    const w = W.deserialize('out', r.keyBytes) as Windowed<string>;
    return { id: windowId(w.key, w.start, w.end), end: w.end, count: Number(L.deserialize('out', r.valueBytes)) };
  });
}

function expectReference(out: readonly Out[], records: readonly InputRecord[]): void {
  const expected = closedWindows(timeWindowModel(records, SIZE, SIZE, GRACE, aggFns('count')), finalStreamTime(records), GRACE);
  // Exactly one final result per closed window: none lost, none twice, none early.
  expect(out.map((o) => o.id).sort()).toEqual([...expected.keys()].sort());
  for (const o of out) expect(o.count, o.id).toBe(expected.get(o.id)!.value);
  // In buffer-time order: window ends never go back.
  for (let i = 1; i < out.length; i++) expect(out[i].end, `record ${i}`).toBeGreaterThanOrEqual(out[i - 1].end);
}

const shape = { count: 1200, keys: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'], step: 2, disorder: 30, outOfOrder: 0.2, tombstones: 0 };

describe('suppress() buffer spilling to LevelDB', () => {
  it('maxRecords(10).spillToDiskWhenFull(): every closed window exactly once with its final count, in window-end order', async () => {
    const env = embeddedEnv('sw-suppress-spill-');
    const records = randomRecords(7, shape);
    await env.createTopics(1, 1);
    await env.withBackend(async (b) => {
      await runApp(b, path.join(env.dir, 'state'), records);
      const out = await outputs(b);
      expectReference(out, records);
      // ~12 keys x ~5 open windows: far more than 10 entries waited at once, so the store spilled.
      expect(fs.existsSync(path.join(env.dir, 'state', APP, '0_0', 'final-store'))).toBe(true);
      expect(out.length).toBeGreaterThan(300);
    });
  });

  it('a restart from the changelog alone (state dir wiped) restores spilled entries: no window lost or repeated', async () => {
    const env = embeddedEnv('sw-suppress-spill-restart-');
    const records = randomRecords(11, shape);
    const half = Math.floor(records.length / 2);
    const stateDir = path.join(env.dir, 'state');
    await env.createTopics(1, 1);
    await env.withBackend(async (b) => {
      await runApp(b, stateDir, records.slice(0, half));
      const before = await outputs(b);
      expectReference(before, records.slice(0, half));
      fs.rmSync(stateDir, { recursive: true, force: true });
      await runApp(b, stateDir, records.slice(half));
      expectReference(await outputs(b), records);
    });
  });

  it('untilTimeLimit with maxRecords(3).spillToDiskWhenFull(): updates of spilled keys merge, emissions match a reference buffer record for record', async () => {
    const env = embeddedEnv('sw-suppress-spill-limit-');
    const records = randomRecords(5, { ...shape, count: 600 });
    await env.createTopics(1, 1);
    await env.withBackend(async (b) => {
      await runApp(b, path.join(env.dir, 'state'), records, 'timeLimit');
      const raw = await readTopic(b, 'out', 'read_uncommitted', false);
      const got = raw.map((r) => `${r.keyBytes!.toString()}=${r.valueBytes!.toString()}`);
      expect(got).toEqual(timeLimitReference(records, TIME_LIMIT));
      expect(got.length).toBeGreaterThan(100);
    });
  });
});

/** untilTimeLimit from Kafka semantics: a key's first update opens its entry (buffer time = its
 * timestamp), later updates replace the value; after each record, entries with buffer time <=
 * stream time - limit leave in buffer-time order (ties in arrival order). */
function timeLimitReference(records: readonly InputRecord[], limit: number): string[] {
  const buffer = new Map<string, { time: number; seq: number; value: string }>();
  const out: string[] = [];
  let streamTime = -1;
  records.forEach((r, seq) => {
    streamTime = Math.max(streamTime, r.ts);
    const e = buffer.get(r.key);
    if (e !== undefined) e.value = String(r.value);
    else buffer.set(r.key, { time: r.ts, seq, value: String(r.value) });
    const due = [...buffer].filter(([, v]) => v.time <= streamTime - limit).sort(([, x], [, y]) => x.time - y.time || x.seq - y.seq);
    for (const [k, v] of due) {
      out.push(`${k}=${v.value}`);
      buffer.delete(k);
    }
  });
  return out;
}
