import { describe, expect, it } from 'vitest';
import type { ProducerRecord } from '../../src/backend/backend-types.js';
import { CaptureStream, cli, eventually, openLog, tempDir } from './cli-test-helpers.js';

interface Rec {
  readonly partition: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
}

/** Creates topic `t` and appends `records` straight through the backend; returns the log dir. */
async function seed(partitions: number, records: readonly Rec[]): Promise<string> {
  const dir = tempDir();
  expect((await cli(['topics', 'create', 't', '--partitions', String(partitions), '--log-dir', dir])).code).toBe(0);
  await append(dir, records);
  return dir;
}

async function append(dir: string, records: readonly Rec[]): Promise<void> {
  if (records.length === 0) return;
  const lease = await openLog(dir);
  try {
    const p = lease.backend.producer({});
    await p.send(records.map((r): ProducerRecord => ({ topic: 't', partition: r.partition, key: r.key === null ? null : Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: r.timestamp })));
    await p.close();
  } finally {
    await lease.release();
  }
}

/** Reference model: what Kafka would hand out per partition, offsets counting from 0. */
function model(records: readonly Rec[]): Map<number, (Rec & { offset: number })[]> {
  const out = new Map<number, (Rec & { offset: number })[]>();
  for (const r of records) {
    const list = out.get(r.partition) ?? [];
    list.push({ ...r, offset: list.length });
    out.set(r.partition, list);
  }
  return out;
}

const RECORDS: Rec[] = Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, key: i % 5 === 0 ? null : `k${i}`, value: i === 7 ? null : `v${i}`, timestamp: 1_000 + i }));

describe('streamwright consume', () => {
  it('--from-beginning prints every record; per partition in offset order, with the chosen format', async () => {
    const dir = await seed(3, RECORDS);
    const r = await cli(['consume', 't', '--from-beginning', '--format', '%p|%o|%k|%v|%t', '--log-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Processed a total of 30 messages');
    const expected = model(RECORDS);
    for (const [p, recs] of expected) {
      const got = r.lines.filter((l) => l.startsWith(`${p}|`));
      expect(got).toEqual(recs.map((x) => `${p}|${x.offset}|${x.key ?? 'null'}|${x.value ?? 'null'}|${x.timestamp}`));
    }
    expect(r.lines).toHaveLength(30);
  });

  it('prints only values by default and key<TAB>value with --print-key', async () => {
    const recs = [
      { partition: 0, key: 'a', value: 'one', timestamp: 1 },
      { partition: 0, key: null, value: 'two', timestamp: 2 },
    ];
    const dir = await seed(1, recs);
    expect((await cli(['consume', 't', '--from-beginning', '--log-dir', dir])).stdout).toBe('one\ntwo\n');
    expect((await cli(['consume', 't', '--from-beginning', '--print-key', '--log-dir', dir])).stdout).toBe('a\tone\nnull\ttwo\n');
  });

  it('starts at the end without --from-beginning, so without --follow it prints nothing and exits', async () => {
    const dir = await seed(3, RECORDS);
    const r = await cli(['consume', 't', '--log-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Processed a total of 0 messages');
  });

  it('stops at the end offsets seen at start: records appended meanwhile are not printed', async () => {
    const big = Array.from({ length: 1200 }, (_, i) => ({ partition: 0, key: null, value: `r${i}`, timestamp: i }));
    const dir = await seed(1, big);
    // highWaterMark 1: every write waits for 'drain', i.e. for the gate, before the next poll.
    const stdout = new CaptureStream({ highWaterMark: 1 });
    let appended: Promise<void> | undefined;
    // After the first poll's output (at most 500 records), append more records to the same partition.
    stdout.gate = () => (appended ??= append(dir, Array.from({ length: 50 }, (_, i) => ({ partition: 0, key: null, value: `late${i}`, timestamp: i }))));
    const r = await cli(['consume', 't', '--from-beginning', '--log-dir', dir], { stdout });
    expect(stdout.text.length).toBeGreaterThan(0);
    expect(r.code).toBe(0);
    expect(appended).toBeDefined();
    expect(r.lines.length).toBeGreaterThan(500); // so the append happened while more than one poll remained
    expect(r.lines).toEqual(big.map((b) => b.value));
    // The late records are in the log; a new consume sees them.
    expect((await cli(['consume', 't', '--from-beginning', '--log-dir', dir])).lines).toHaveLength(1250);
  });

  it('--follow keeps printing new records until the signal, then exits 0', async () => {
    const dir = await seed(2, RECORDS.slice(0, 4).map((r) => ({ ...r, partition: r.partition % 2 })));
    const stdout = new CaptureStream();
    const ac = new AbortController();
    const run = cli(['consume', 't', '--from-beginning', '--follow', '--log-dir', dir], { stdout, signal: ac.signal });
    await eventually('the first 4 records', 5_000, () => stdout.lines().length === 4);
    await append(dir, [{ partition: 1, key: 'n', value: 'new-1', timestamp: 5 }, { partition: 0, key: 'n', value: 'new-2', timestamp: 6 }]);
    await eventually('the 2 new records', 5_000, () => stdout.lines().length === 6);
    ac.abort();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.lines.slice(4).sort()).toEqual(['new-1', 'new-2']);
    expect(r.stderr).toContain('Processed a total of 6 messages');
  });

  it('--max-messages stops after N records', async () => {
    const dir = await seed(1, RECORDS.map((r) => ({ ...r, partition: 0 })));
    const r = await cli(['consume', 't', '--from-beginning', '--max-messages', '7', '--log-dir', dir]);
    expect(r.lines).toEqual(RECORDS.slice(0, 7).map((x) => x.value ?? 'null'));
  });

  it('--partition with --offset reads one partition from that offset; an offset outside the log is an error', async () => {
    const dir = await seed(3, RECORDS);
    const expected = model(RECORDS).get(1)!.slice(4);
    const r = await cli(['consume', 't', '--partition', '1', '--offset', '4', '--format', '%p:%o:%v', '--log-dir', dir]);
    expect(r.lines).toEqual(expected.map((x) => `1:${x.offset}:${x.value ?? 'null'}`));
    const latest = await cli(['consume', 't', '--partition', '1', '--offset', 'latest', '--log-dir', dir]);
    expect(latest.lines).toEqual([]);
    const bad = await cli(['consume', 't', '--partition', '1', '--offset', '11', '--log-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \[OFFSET_OUT_OF_RANGE\]: --offset 11 is outside topic "t" partition 1, which holds offsets 0\.\.10/);
    const noPart = await cli(['consume', 't', '--partition', '3', '--log-dir', dir]);
    expect(noPart.stderr).toMatch(/^error \[PARTITION_NOT_FOUND\]/);
  });

  it('--group commits what it printed, so the next run of the group resumes after it', async () => {
    const dir = await seed(1, RECORDS.map((r) => ({ ...r, partition: 0 })));
    const first = await cli(['consume', 't', '--group', 'g1', '--from-beginning', '--max-messages', '10', '--log-dir', dir]);
    expect(first.lines).toEqual(RECORDS.slice(0, 10).map((x) => x.value ?? 'null'));
    const lease = await openLog(dir);
    try {
      expect(await lease.backend.admin().fetchCommittedOffsets('g1', ['t'])).toEqual([{ topic: 't', partition: 0, offset: 10 }]);
    } finally {
      await lease.release();
    }
    // --from-beginning only applies without a committed offset (auto.offset.reset), as in Kafka.
    const second = await cli(['consume', 't', '--group', 'g1', '--from-beginning', '--log-dir', dir]);
    expect(second.lines).toEqual(RECORDS.slice(10).map((x) => x.value ?? 'null'));
    const third = await cli(['consume', 't', '--group', 'g1', '--log-dir', dir]);
    expect(third.lines).toEqual([]);
    // A fresh group without --from-beginning starts at the end.
    expect((await cli(['consume', 't', '--group', 'g2', '--log-dir', dir])).lines).toEqual([]);
  });

  it('read_committed hides an open transaction and still ends (after --timeout-ms of nothing); read_uncommitted shows it', async () => {
    const dir = await seed(1, [{ partition: 0, key: null, value: 'committed-before', timestamp: 1 }]);
    const lease = await openLog(dir);
    const txn = lease.backend.producer({ transactionalId: 'cli-test-txn' });
    try {
      await txn.beginTransaction();
      await txn.send([{ topic: 't', partition: 0, key: null, value: Buffer.from('open-txn'), timestamp: 2 }]);
      const rc = await cli(['consume', 't', '--from-beginning', '--isolation', 'read_committed', '--timeout-ms', '200', '--verbose', '--log-dir', dir]);
      expect(rc.code).toBe(0);
      expect(rc.lines).toEqual(['committed-before']);
      expect(rc.stderr).toContain('partition 0 at 1 of 2');
      const ru = await cli(['consume', 't', '--from-beginning', '--log-dir', dir]);
      expect(ru.lines).toEqual(['committed-before', 'open-txn']);
      await txn.abortTransaction();
      // The abort marker takes an offset no reader sees; the consumer still ends.
      const after = await cli(['consume', 't', '--from-beginning', '--isolation', 'read_committed', '--timeout-ms', '200', '--log-dir', dir]);
      expect(after.code).toBe(0);
      expect(after.lines).toEqual(['committed-before']);
    } finally {
      await txn.close();
      await lease.release();
    }
  });

  it('rejects contradictory flags with CLI_USAGE (exit 2)', async () => {
    const dir = await seed(1, []);
    const cases: [string[], string][] = [
      [['--offset', '3'], '--offset needs --partition'],
      [['--group', 'g', '--partition', '0'], '--group cannot be combined with --partition'],
      [['--isolation', 'serializable'], '--isolation must be read_committed or read_uncommitted'],
      [['--format', '%v', '--print-key'], 'either --format or --print-key'],
      [['--format', '%q'], 'unknown placeholder "%q"'],
      [['--max-messages', '0'], '--max-messages must be an integer >= 1'],
    ];
    for (const [flags, message] of cases) {
      const r = await cli(['consume', 't', ...flags, '--log-dir', dir]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('Usage: streamwright consume TOPIC');
    }
  });
});
