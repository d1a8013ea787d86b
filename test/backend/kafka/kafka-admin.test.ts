import { describe, expect, it } from 'vitest';
import { realBroker, skipKafka, suiteTestCluster, uniqueName } from './kafka-test-cluster.js';

describe.skipIf(skipKafka)('kafka backend: admin', () => {
  const cluster = suiteTestCluster();

  it('lists and describes topics and reports earliest/latest offsets per partition', async () => {
    const topic = uniqueName('admin');
    await cluster.createTopic(topic, 3);
    const backend = cluster.backend();
    expect(backend.kind).toBe('kafka');
    expect(backend.description).toBe(`kafka at ${cluster.bootstrapServers}`);
    const admin = backend.admin();
    expect(await admin.listTopics()).toContain(topic);
    const [d] = await admin.describeTopics([topic]);
    expect(d.name).toBe(topic);
    expect(d.partitions).toBe(3);
    expect(d.replicationFactor).toBe(1);
    expect(await admin.listOffsets(topic)).toEqual([0, 1, 2].map((partition) => ({ partition, earliest: 0, latest: 0 })));
    const producer = backend.producer({});
    await producer.send([0, 0, 2, 0, 2].map((partition, i) => ({ topic, partition, key: null, value: Buffer.from([i]), timestamp: i })));
    expect(await admin.listOffsets(topic)).toEqual([
      { partition: 0, earliest: 0, latest: 3 },
      { partition: 1, earliest: 0, latest: 0 },
      { partition: 2, earliest: 0, latest: 2 },
    ]);
    const missing = uniqueName('missing');
    await expect(admin.describeTopics([missing])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND', details: { topic: missing } });
    await expect(admin.listOffsets(missing)).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    await expect(admin.createTopics([{ name: 'bad name!', partitions: 1 }])).rejects.toMatchObject({ code: 'TOPIC_INVALID_NAME' });
    await expect(admin.createTopics([{ name: topic, partitions: 1 }])).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    await admin.createTopics([{ name: topic, partitions: 1 }], { ifNotExists: true });
    await expect(admin.deleteTopics([missing])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    expect(await admin.fetchCommittedOffsets(uniqueName('nobody'), [topic])).toEqual([0, 1, 2].map((partition) => ({ topic, partition, offset: -1 })));
    await producer.close();
    await admin.close();
  });

  // CreateTopics, DeleteTopics and DescribeConfigs go to the controller, which the librdkafka mock
  // reports as broker 0 (not one of its brokers), so only a real broker verifies them.
  it.skipIf(!realBroker)('creates topics with configs, describes them and deletes them', async () => {
    const admin = cluster.backend().admin();
    const name = uniqueName('created');
    await admin.createTopics([{ name, partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } }]);
    const [d] = await admin.describeTopics([name]);
    expect(d).toEqual({ name, partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } });
    await admin.deleteTopics([name]);
    await admin.close();
  });

  it('names the bootstrap servers and a fix when no broker answers', async () => {
    const backend = cluster.backend({ 'bootstrap.servers': '127.0.0.1:1', retries: 0, 'socket.connection.setup.timeout.ms': 500 });
    const admin = backend.admin();
    const err = await admin.listTopics().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'BACKEND' });
    expect((err as Error).message).toContain('127.0.0.1:1');
    expect((err as Error).message).toContain('bootstrap.servers');
    await admin.close();
  });
});
