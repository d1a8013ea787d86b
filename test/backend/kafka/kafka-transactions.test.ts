import { describe, expect, it } from 'vitest';
import type { FetchBatch } from '../../../src/backend/backend-types.js';
import { realBroker, skipKafka, suiteTestCluster, uniqueName, waitFor } from './kafka-test-cluster.js';

describe.skipIf(skipKafka)('kafka backend: transactions', () => {
  const cluster = suiteTestCluster();

  it('commits records and consumer offsets atomically through sendOffsetsToTransaction', async () => {
    const topic = uniqueName('txn');
    const groupId = uniqueName('g');
    await cluster.createTopic(topic, 2);
    const backend = cluster.backend();
    const producer = backend.producer({ transactionalId: uniqueName('tx') });
    expect(producer.transactional).toBe(true);
    await expect(producer.send([{ topic, partition: 0, key: null, value: null, timestamp: 0 }])).rejects.toMatchObject({ code: 'TRANSACTION_STATE' });
    await expect(producer.commitTransaction()).rejects.toMatchObject({ code: 'TRANSACTION_STATE' });
    await producer.beginTransaction();
    await expect(producer.beginTransaction()).rejects.toMatchObject({ code: 'TRANSACTION_STATE' });
    const appends = await producer.send([
      { topic, partition: 0, key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1 },
      { topic, partition: 1, key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 2 },
      { topic, partition: 0, key: Buffer.from('c'), value: Buffer.from('3'), timestamp: 3 },
    ]);
    expect(appends).toEqual([
      { topic, partition: 0, baseOffset: 0, lastOffset: 1 },
      { topic, partition: 1, baseOffset: 0, lastOffset: 0 },
    ]);
    await producer.sendOffsetsToTransaction(groupId, [{ topic, partition: 0, offset: 7 }]);
    await producer.commitTransaction();
    const admin = backend.admin();
    const ends = await admin.listOffsets(topic);
    // On a broker each partition also holds a commit marker; the mock writes none.
    expect(ends.map((o) => o.latest - (cluster.isMock ? 0 : 1))).toEqual([2, 1]);
    if (!cluster.isMock) {
      // The librdkafka mock acknowledges TxnOffsetCommit without storing the offsets.
      expect(await admin.fetchCommittedOffsets(groupId, [topic])).toEqual([
        { topic, partition: 0, offset: 7 },
        { topic, partition: 1, offset: -1 },
      ]);
    }
    // A second transaction on the same producer, then abort: no offsets move.
    await producer.beginTransaction();
    await producer.sendOffsetsToTransaction(groupId, [{ topic, partition: 0, offset: 9 }]);
    await producer.abortTransaction();
    if (!cluster.isMock) expect((await admin.fetchCommittedOffsets(groupId, [topic]))[0].offset).toBe(7);
    await producer.close();
    await admin.close();
  });

  // The librdkafka mock does not filter aborted records for read_committed readers and does not
  // fence producers, so these run only against a real broker (KAFKA_BOOTSTRAP_SERVERS).
  it.skipIf(!realBroker)('read_committed readers skip aborted records; read_uncommitted readers see them', async () => {
    const topic = uniqueName('rc');
    await cluster.createTopic(topic, 1);
    const backend = cluster.backend();
    const producer = backend.producer({ transactionalId: uniqueName('tx') });
    await producer.beginTransaction();
    await producer.send([{ topic, partition: 0, key: null, value: Buffer.from('aborted'), timestamp: 1 }]);
    await producer.abortTransaction();
    await producer.beginTransaction();
    await producer.send([{ topic, partition: 0, key: null, value: Buffer.from('committed'), timestamp: 2 }]);
    await producer.commitTransaction();
    const read = async (isolationLevel: 'read_committed' | 'read_uncommitted', want: number) => {
      const c = backend.consumer({ groupId: uniqueName('g'), isolationLevel });
      await c.subscribe([topic], { onPartitionsAssigned() {}, onPartitionsRevoked() {} });
      const got: FetchBatch[] = [];
      await waitFor(`${isolationLevel} records`, 20_000, async () => {
        got.push(...(await c.poll({ maxRecords: 100, maxWaitMs: 200 })));
        return got.reduce((n, b) => n + b.size, 0) >= want ? true : undefined;
      });
      await c.close();
      return got.flatMap((b) => b.values.map((v) => v?.toString()));
    };
    expect(await read('read_committed', 1)).toEqual(['committed']);
    expect(await read('read_uncommitted', 2)).toEqual(['aborted', 'committed']);
    await producer.close();
  });

  it.skipIf(!realBroker)('a newer producer with the same transactional.id fences the older one', async () => {
    const topic = uniqueName('fence');
    await cluster.createTopic(topic, 1);
    const backend = cluster.backend();
    const id = uniqueName('tx');
    const older = backend.producer({ transactionalId: id });
    await older.beginTransaction();
    await older.send([{ topic, partition: 0, key: null, value: Buffer.from('old'), timestamp: 1 }]);
    const newer = backend.producer({ transactionalId: id });
    await newer.beginTransaction();
    await expect(older.commitTransaction()).rejects.toMatchObject({ code: 'TRANSACTION_FENCED' });
    await newer.abortTransaction();
    await older.close();
    await newer.close();
  });
});
