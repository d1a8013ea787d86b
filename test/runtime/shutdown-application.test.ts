/**
 * SHUTDOWN_APPLICATION vs SHUTDOWN_CLIENT with two instances of one application on the embedded
 * log (Kafka Streams' semantics: SHUTDOWN_APPLICATION stops every instance of the application, all
 * ending in ERROR; SHUTDOWN_CLIENT stops only the failing one and the group moves its work on).
 * Only instance A fails on the poison value (B's mapper accepts it), so B can only end in ERROR
 * because the group told it to, never through its own handler.
 */
import { describe, expect, it } from 'vitest';
import type { ExceptionResponse } from '../../src/runtime/app-state.js';
import type { AppState } from '../../src/runtime/app-state.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { appTestScope, createTopics, openLog, produce, readAll, recordingLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';
import { mapValuesTopology } from './fixtures/app-topologies.js';

const poisonFor = (failing: boolean) => (v: string) => {
  if (failing && v === 'boom') throw new Error('instance A cannot map boom');
  return v.toUpperCase();
};

describe('StreamsApp: SHUTDOWN_APPLICATION on the embedded log', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  async function twoInstances(appId: string, response: ExceptionResponse) {
    const dir = tempDir('sw-shutdown-app-');
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'in', partitions: 2 }, { name: 'out', partitions: 2 }]);
    const config = { 'application.id': appId, 'log.dir': dir, 'commit.interval.ms': 50, 'poll.ms': 20 };
    const logs = { a: recordingLogger(), b: recordingLogger() };
    const a = new StreamsApp(mapValuesTopology(poisonFor(true)), config, { logger: logs.a });
    const b = new StreamsApp(mapValuesTopology(poisonFor(false)), config, { logger: logs.b });
    apps.push(a, b);
    const handled = { a: [] as Error[], b: [] as Error[] };
    a.setUncaughtExceptionHandler((e) => (handled.a.push(e), response));
    b.setUncaughtExceptionHandler((e) => (handled.b.push(e), response));
    const states = { a: [] as AppState[], b: [] as AppState[] };
    a.onStateChange((s) => states.a.push(s));
    b.onStateChange((s) => states.b.push(s));
    await a.start();
    await b.start();
    await waitFor('one task each', 10_000, () => (a.activeTasks().length === 1 && b.activeTasks().length === 1 ? true : undefined));
    await a.waitUntilRunning(5_000);
    await b.waitUntilRunning(5_000);
    // The poison goes to A's partition only.
    const partitionOfA = Number(a.activeTasks()[0].split('_')[1]);
    await produce(lease.backend, 'in', [{ key: 'x', value: 'ok' }, { key: 'y', value: 'boom' }], { partition: partitionOfA });
    return { a, b, logs, handled, states, partitionOfA };
  }

  it('stops every instance: the failing one asks the group, the other is told and ends in ERROR without a failure of its own', async () => {
    const { a, b, logs, handled, states } = await twoInstances('shutdown-app', 'SHUTDOWN_APPLICATION');
    await waitFor('both instances in ERROR', 20_000, () => (a.state === 'ERROR' && b.state === 'ERROR' ? true : undefined), 20);
    expect(handled.a.map((e) => e.message)).toEqual([expect.stringContaining('instance A cannot map boom')]);
    expect(handled.b).toEqual([]);
    expect(states.a.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    expect(states.b.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    expect(logs.b.lines.some((l) => l.level === 'error' && l.msg.includes('asked every instance to shut down'))).toBe(true);
    expect(a.activeTasks()).toEqual([]);
    expect(b.activeTasks()).toEqual([]);
  });

  it('SHUTDOWN_CLIENT stops only the failing instance; the other takes its partition over and processes the poison value', async () => {
    const { a, b, handled } = await twoInstances('shutdown-client', 'SHUTDOWN_CLIENT');
    await waitFor('A in ERROR', 20_000, () => (a.state === 'ERROR' ? true : undefined));
    await waitFor('B owning both tasks', 20_000, () => (b.activeTasks().length === 2 ? true : undefined));
    await waitFor('B to map the poison value', 20_000, async () => ((await readAll(lease!.backend, 'out')).some((r) => r.value === 'BOOM') ? true : undefined), 50);
    expect(b.state).toBe('RUNNING');
    expect(handled.b).toEqual([]);
  });
});
