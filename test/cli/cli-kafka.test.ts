import { describe, expect, it } from 'vitest';
import { skipKafka, suiteTestCluster, uniqueName } from '../backend/kafka/kafka-test-cluster.js';
import { cli } from './cli-test-helpers.js';

/**
 * Smoke test of the CLI on the Kafka backend: against KAFKA_BOOTSTRAP_SERVERS when set, else the
 * librdkafka mock peer (native/build/mock-kafka). STREAMWRIGHT_SKIP_KAFKA=1 skips it.
 */
describe.skipIf(skipKafka)('streamwright on Kafka (--bootstrap-server)', () => {
  const cluster = suiteTestCluster();

  it('lists topics, produces keyed lines and consumes them back', async () => {
    const topic = uniqueName('cli-smoke');
    await cluster.createTopic(topic, 2);
    const kafka = ['--bootstrap-server', cluster.bootstrapServers];

    const list = await cli(['topics', 'list', ...kafka]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.lines).toContain(topic);

    const lines = Array.from({ length: 20 }, (_, i) => `key-${i % 4}:value-${i}`);
    const produced = await cli(['produce', topic, '--key-separator', ':', ...kafka], { stdin: `${lines.join('\n')}\n` });
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('Produced 20 records');

    const consumed = await cli(['consume', topic, '--from-beginning', '--print-key', ...kafka]);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect([...consumed.lines].sort()).toEqual(lines.map((l) => l.replace(':', '\t')).sort());
    // Per key, input order survives (one key, one partition).
    const key1 = consumed.lines.filter((l) => l.startsWith('key-1\t')).map((l) => l.split('\t')[1]);
    expect(key1).toEqual(lines.filter((l) => l.startsWith('key-1:')).map((l) => l.split(':')[1]));

    // A group reads from its committed offsets: the second run resumes after the first. (On the mock
    // the second join waits out the first member's 10 s session - observed ~9 s - so the mock does not
    // seem to act on the LeaveGroup of a closed member.)
    const group = uniqueName('cli-group');
    const first = await cli(['consume', topic, '--group', group, '--from-beginning', '--max-messages', '5', ...kafka]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.lines).toHaveLength(5);
    const rest = await cli(['consume', topic, '--group', group, '--from-beginning', ...kafka]);
    expect(rest.code, rest.stderr).toBe(0);
    expect([...first.lines, ...rest.lines].sort()).toEqual(lines.map((l) => l.split(':')[1]).sort());

    const described = await cli(['topics', 'describe', topic, ...kafka]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.lines[0]).toMatch(new RegExp(`^Topic: ${topic}\\tPartitionCount: 2\\t`));
    const latest = described.lines.slice(1).map((l) => Number(/LatestOffset: (\d+)/.exec(l)![1]));
    expect(latest.reduce((a, b) => a + b, 0)).toBe(20);
  });
});
