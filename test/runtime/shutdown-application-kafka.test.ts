/**
 * SHUTDOWN_APPLICATION with two members of one application on the Kafka backend (librdkafka's mock
 * on CI; a broker with KAFKA_BOOTSTRAP_SERVERS; STREAMWRIGHT_SKIP_KAFKA=1 skips). The request
 * travels in the group protocol's subscription userData and comes back to every member in the
 * assignment's error code (kafka-group-metadata-codec.ts). Only instance A fails on the poison
 * value, so B can end in ERROR only because the group told it to. Rebalances on the mock take
 * seconds each, hence the long timeouts.
 */
import { describe, expect, it } from 'vitest';
import type { AppState } from '../../src/runtime/app-state.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { skipKafka, suiteTestCluster, uniqueName } from '../backend/kafka/kafka-test-cluster.js';
import { produce, recordingLogger, waitFor } from './fixtures/app-test-helpers.js';
import { mapValuesTopology } from './fixtures/app-topologies.js';

describe.skipIf(skipKafka)('StreamsApp: SHUTDOWN_APPLICATION on the Kafka backend', () => {
  const cluster = suiteTestCluster();

  it('a failing member asks the group, and both members end in ERROR', async () => {
    const input = uniqueName('sd-in');
    const output = uniqueName('sd-out');
    await cluster.createTopic(input, 2);
    await cluster.createTopic(output, 2);
    const config = { 'application.id': uniqueName('sd-app'), 'commit.interval.ms': 100, 'poll.ms': 20 };
    const mapper = (failing: boolean) => (v: string) => {
      if (failing && v === 'boom') throw new Error('instance A cannot map boom');
      return v.toUpperCase();
    };
    const logs = { a: recordingLogger(), b: recordingLogger() };
    const a = new StreamsApp(mapValuesTopology(mapper(true), input, output), config, { backend: cluster.backend(), logger: logs.a });
    const b = new StreamsApp(mapValuesTopology(mapper(false), input, output), config, { backend: cluster.backend(), logger: logs.b });
    const handled = { a: [] as Error[], b: [] as Error[] };
    a.setUncaughtExceptionHandler((e) => (handled.a.push(e), 'SHUTDOWN_APPLICATION'));
    b.setUncaughtExceptionHandler((e) => (handled.b.push(e), 'SHUTDOWN_APPLICATION'));
    const states = { a: [] as AppState[], b: [] as AppState[] };
    a.onStateChange((s) => states.a.push(s));
    b.onStateChange((s) => states.b.push(s));
    try {
      await Promise.all([a.start(), b.start()]);
      await waitFor('one task each', 60_000, () => (a.activeTasks().length === 1 && b.activeTasks().length === 1 && a.state === 'RUNNING' && b.state === 'RUNNING' ? true : undefined), 50);
      const partitionOfA = Number(a.activeTasks()[0].split('_')[1]);
      await produce(cluster.backend(), input, [{ key: 'x', value: 'ok' }, { key: 'y', value: 'boom' }], { partition: partitionOfA });

      await waitFor('both members in ERROR', 90_000, () => (a.state === 'ERROR' && b.state === 'ERROR' ? true : undefined), 50);
      expect(handled.a.map((e) => e.message)).toEqual([expect.stringContaining('instance A cannot map boom')]);
      expect(handled.b).toEqual([]);
      expect(states.a.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
      expect(states.b.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
      expect(logs.b.lines.some((l) => l.level === 'error' && l.msg.includes('asked every instance to shut down'))).toBe(true);
      // A's request was confirmed by the group, not given up after its timeout.
      expect(logs.a.lines.filter((l) => l.msg.includes('was not confirmed'))).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 180_000);
});
