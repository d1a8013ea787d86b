import { describe, expect, it } from 'vitest';
import type { AppState } from '../../src/runtime/app-state.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { isStreamwrightError, type StreamwrightError } from '../../src/errors/streamwright-error.js';
import { appTestScope, createTopics, openLog, produce, readAll, recordingLogger, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';
import { evenBangTopology, mapValuesTopology, numbered, sortKV } from './fixtures/app-topologies.js';

describe('StreamsApp lifecycle and the uncaught-exception handler', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  async function setup(records = numbered(12)): Promise<string> {
    const dir = tempDir();
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'in', partitions: 2 }, { name: 'out', partitions: 2 }]);
    await produce(lease.backend, 'in', records);
    return dir;
  }

  it('reports CREATED -> REBALANCING -> RUNNING -> PENDING_SHUTDOWN -> NOT_RUNNING to the state listener', async () => {
    const dir = await setup();
    const app = new StreamsApp(evenBangTopology(), { 'application.id': 'life', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    const changes: [AppState, AppState][] = [];
    app.onStateChange((next, prev) => changes.push([prev, next]));
    expect(app.state).toBe('CREATED');
    await app.start();
    await app.waitUntilRunning(5_000);
    expect(app.state).toBe('RUNNING');
    await app.close();
    expect(changes).toEqual([
      ['CREATED', 'REBALANCING'],
      ['REBALANCING', 'RUNNING'],
      ['RUNNING', 'PENDING_SHUTDOWN'],
      ['PENDING_SHUTDOWN', 'NOT_RUNNING'],
    ]);
    await app.close(); // idempotent
    expect(app.state).toBe('NOT_RUNNING');
    await expect(app.start()).rejects.toMatchObject({ code: 'APP_STATE' });
  });

  it('SHUTDOWN_CLIENT (the default) ends in ERROR; the error names the node, topic, partition and offset', async () => {
    const dir = tempDir();
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'in', partitions: 2 }, { name: 'out', partitions: 2 }]);
    // Partition 1, offsets 0..4; the record at offset 3 makes the mapper throw.
    await produce(lease.backend, 'in', ['a', 'b', 'c', 'boom', 'e'].map((v) => ({ key: v, value: v })), { partition: 1 });
    const logger = recordingLogger();
    const fn = (v: string) => {
      if (v === 'boom') throw new Error('cannot map boom');
      return v.toUpperCase();
    };
    const app = new StreamsApp(mapValuesTopology(fn), { 'application.id': 'life-fail', 'log.dir': dir }, { logger });
    apps.push(app);
    const states: AppState[] = [];
    app.onStateChange((s) => states.push(s));
    await app.start();
    await waitFor('ERROR state', 10_000, () => (app.state === 'ERROR' ? true : undefined));
    expect(states.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    const line = logger.lines.find((l) => l.level === 'error' && l.msg.includes('cannot map boom'));
    expect(line?.msg).toContain('KSTREAM-MAPVALUES-0000000001');
    expect(line?.msg).toContain('topic "in", partition 1, offset 3');
    expect(line?.msg).toContain('SHUTDOWN_CLIENT');
    // Nothing of the failed poll was committed: the group still starts partition 1 at 0.
    const committed = await lease.backend.admin().fetchCommittedOffsets('life-fail', ['in']);
    expect(committed.find((c) => c.partition === 1)?.offset ?? -1).toBeLessThanOrEqual(3);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('hands the error to the handler as a PROCESSING StreamwrightError with details', async () => {
    const dir = tempDir();
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'in', partitions: 2 }, { name: 'out', partitions: 2 }]);
    await produce(lease.backend, 'in', ['x', 'bad'].map((v) => ({ key: v, value: v })), { partition: 0 });
    const app = new StreamsApp(mapValuesTopology((v) => (v === 'bad' ? JSON.parse('{') : v)), { 'application.id': 'life-h', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    const errors: Error[] = [];
    app.setUncaughtExceptionHandler((e) => (errors.push(e), 'SHUTDOWN_CLIENT'));
    await app.start();
    await waitFor('ERROR state', 10_000, () => (app.state === 'ERROR' ? true : undefined));
    expect(errors).toHaveLength(1);
    const err = errors[0] as StreamwrightError;
    expect(isStreamwrightError(err, 'PROCESSING')).toBe(true);
    expect(err.details).toMatchObject({ node: 'KSTREAM-MAPVALUES-0000000001', topic: 'in', partition: 0, offset: 1 });
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('REPLACE_THREAD resumes from the last commit: a mapper failing once still yields every output', async () => {
    const input = numbered(60);
    const dir = await setup(input);
    let failures = 0;
    const fn = (v: string) => {
      if (v === '37' && failures === 0) {
        failures++;
        throw new Error('transient failure on 37');
      }
      return `m${v}`;
    };
    const app = new StreamsApp(mapValuesTopology(fn), { 'application.id': 'life-replace', 'log.dir': dir, 'commit.interval.ms': 0, 'max.poll.records': 7 }, { logger: silentLogger });
    apps.push(app);
    const errors: Error[] = [];
    const states: AppState[] = [];
    app.onStateChange((s) => states.push(s));
    app.setUncaughtExceptionHandler((e) => (errors.push(e), 'REPLACE_THREAD'));
    await app.start();
    const expected = input.map((r) => ({ key: r.key, value: `m${r.value}` }));
    const out = await waitFor('every output', 10_000, async () => {
      const got = await readAll(lease!.backend, 'out');
      return new Set(got.map((r) => r.value)).size >= expected.length ? got : undefined;
    });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('transient failure on 37');
    expect(app.state).toBe('RUNNING');
    // The replacement thread rejoins: RUNNING -> REBALANCING -> RUNNING, never ERROR.
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'REBALANCING', 'RUNNING']);
    // At-least-once: every output present; repeats only of records after the last commit before the failure.
    const distinct = new Map(out.map((r) => [r.value, r]));
    expect(sortKV([...distinct.values()])).toEqual(sortKV(expected));
    expect(out.length - distinct.size).toBeLessThanOrEqual(7 * 2);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('REPLACE_THREAD with exactly_once_v2: the failed transaction is aborted, the read_committed output is exact', async () => {
    const input = numbered(60);
    const dir = await setup(input);
    let failures = 0;
    const fn = (v: string) => {
      if (v === '41' && failures === 0) {
        failures++;
        throw new Error('transient failure on 41');
      }
      return `m${v}`;
    };
    const app = new StreamsApp(mapValuesTopology(fn), { 'application.id': 'life-replace-eos', 'log.dir': dir, 'processing.guarantee': 'exactly_once_v2', 'commit.interval.ms': 10_000, 'max.poll.records': 7 }, { logger: silentLogger });
    apps.push(app);
    app.setUncaughtExceptionHandler(() => 'REPLACE_THREAD');
    await app.start();
    const expected = input.map((r) => ({ key: r.key, value: `m${r.value}` }));
    // commit.interval.ms is long: the first thread dies with an open transaction holding output.
    await waitFor('the replacement thread', 10_000, () => (failures === 1 && app.state === 'RUNNING' ? true : undefined));
    // The embedded log hides aborted records from every reader but shows open transactions to
    // read_uncommitted ones: wait until the replacement has processed everything, then close (commit).
    await waitFor('every output in the open transaction', 10_000, async () => ((await readAll(lease!.backend, 'out')).length >= expected.length ? true : undefined));
    await app.close();
    const out = await readAll(lease!.backend, 'out', 'read_committed');
    expect(sortKV(out)).toEqual(sortKV(expected));
  });

  it('close() while start() is still in flight stops the thread it starts and lets go of the log', async () => {
    const dir = await setup();
    const app = new StreamsApp(evenBangTopology(), { 'application.id': 'life-early', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    const states: AppState[] = [];
    app.onStateChange((s) => states.push(s));
    const started = app.start();
    const closed = app.close();
    await started;
    await closed;
    expect(app.state).toBe('NOT_RUNNING');
    expect(states).toEqual(['REBALANCING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    await new Promise((r) => setTimeout(r, 100));
    expect(app.activeTasks()).toEqual([]);
    // The app released its share of the embedded log: once ours is released too, the log closes
    // and the next open gets a fresh instance.
    const before = lease!.backend;
    await lease!.release();
    lease = track(await openLog(dir));
    expect(lease.backend).not.toBe(before);
  });

  it('a handler that closes the app and answers REPLACE_THREAD gets no replacement thread', async () => {
    const dir = await setup([{ key: 'a', value: 'boom' }]);
    let failed = false;
    const failOnce = (v: string) => {
      if (failed) return v;
      failed = true;
      throw new Error('fails once');
    };
    const app = new StreamsApp(mapValuesTopology(failOnce), { 'application.id': 'life-close-in-handler', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    let closing: Promise<void> | undefined;
    app.setUncaughtExceptionHandler(() => {
      closing = app.close();
      return 'REPLACE_THREAD';
    });
    await app.start();
    await waitFor('the handler to run', 10_000, () => (closing ? true : undefined));
    await closing;
    await new Promise((r) => setTimeout(r, 100));
    expect(app.state).toBe('NOT_RUNNING');
    expect(app.activeTasks()).toEqual([]);
    const before = lease!.backend;
    await lease!.release();
    lease = track(await openLog(dir));
    expect(lease.backend).not.toBe(before);
  });
});
