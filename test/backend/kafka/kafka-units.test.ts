import { describe, expect, it } from 'vitest';
import type { Batch, KafkaMessage } from 'kafkajs';
import { resolveKafkaConfig } from '../../../src/backend/kafka/kafka-config.js';
import { toStreamwrightError } from '../../../src/backend/kafka/kafka-errors.js';
import { FetchBuffer, tpKey } from '../../../src/backend/kafka/kafka-fetch-buffer.js';
import { toPartitionAppends } from '../../../src/backend/kafka/kafka-producer.js';
import { RebalanceState } from '../../../src/backend/kafka/kafka-rebalance-state.js';

const ctx = { bootstrapServers: 'b1:9092', action: 'testing', topic: 't', partition: 2 };

function fakeBatch(topic: string, partition: number, offsets: number[]): Batch {
  const messages = offsets.map((o) => ({ offset: String(o), timestamp: String(1000 + o), key: null, value: Buffer.from(`v${o}`), attributes: 0, headers: {} }) as KafkaMessage);
  return { topic, partition, highWatermark: String(offsets[offsets.length - 1] + 1), messages } as unknown as Batch;
}

describe('kafka backend units (no broker)', () => {
  it('maps kafkajs failures to our codes with where and what-next', () => {
    const fenced = toStreamwrightError({ name: 'KafkaJSNumberOfRetriesExceeded', message: 'x', cause: { name: 'KafkaJSProtocolError', type: 'PRODUCER_FENCED', message: 'fenced' } }, ctx);
    expect(fenced.code).toBe('TRANSACTION_FENCED');
    expect(fenced.message).toContain('topic t, partition 2');
    expect(toStreamwrightError({ name: 'KafkaJSAggregateError', errors: [{ type: 'TOPIC_ALREADY_EXISTS', topic: 'orders' }] }, ctx)).toMatchObject({ code: 'TOPIC_EXISTS' });
    expect(toStreamwrightError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no' }, ctx).code).toBe('TOPIC_NOT_FOUND');
    expect(toStreamwrightError({ type: 'INVALID_TXN_STATE', message: 'no' }, ctx).code).toBe('TRANSACTION_STATE');
    const conn = toStreamwrightError({ name: 'KafkaJSConnectionError', message: 'ECONNREFUSED' }, ctx);
    expect(conn.code).toBe('BACKEND');
    expect(conn.message).toContain('b1:9092');
    expect(conn.message).toContain('bootstrap.servers');
  });

  it('validates config keys and values', () => {
    expect(() => resolveKafkaConfig({ 'bootstrap.servers': 'h:1', 'bogus.key': 1 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_UNKNOWN_KEY' }));
    expect(() => resolveKafkaConfig({ 'bootstrap.servers': 'nohost' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveKafkaConfig({ 'bootstrap.servers': 'h:1', 'session.timeout.ms': 900, 'heartbeat.interval.ms': 900 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(resolveKafkaConfig({ 'bootstrap.servers': ' a:1, b:2 ' }).brokers).toEqual(['a:1', 'b:2']);
  });

  it('derives lastOffset from base offset and per-partition counts in first-touched order', () => {
    const counts = new Map([['t\u00003', 2], ['t\u00001', 1]]);
    const meta = [{ topicName: 't', partition: 1, errorCode: 0, baseOffset: '10' }, { topicName: 't', partition: 3, errorCode: 0, baseOffset: '5' }];
    expect(toPartitionAppends(counts, meta)).toEqual([
      { topic: 't', partition: 3, baseOffset: 5, lastOffset: 6 },
      { topic: 't', partition: 1, baseOffset: 10, lastOffset: 10 },
    ]);
    expect(() => toPartitionAppends(new Map([['t\u00000', 1]]), [])).toThrow(expect.objectContaining({ code: 'BACKEND' }));
  });

  it('hands batches over column-wise within maxRecords, resolves delivered offsets, releases when drained', () => {
    const buf = new FetchBuffer();
    const resolved: string[] = [];
    let released = 0;
    buf.add({ key: tpKey('t', 0), batch: fakeBatch('t', 0, [5, 6, 7]), next: 0, resolveOffset: (o) => void resolved.push(`0@${o}`), release: () => void released++ });
    buf.add({ key: tpKey('t', 1), batch: fakeBatch('t', 1, [0, 1]), next: 0, resolveOffset: (o) => void resolved.push(`1@${o}`), release: () => void released++ });
    const first = buf.take(2, new Set());
    expect(first.reduce((n, b) => n + b.size, 0)).toBe(2);
    const rest = [...buf.take(10, new Set([tpKey('t', 1)])), ...buf.take(10, new Set())];
    const all = [...first, ...rest];
    const byPartition = (p: number) => all.filter((b) => b.partition === p).flatMap((b) => b.offsets);
    expect(byPartition(0)).toEqual([5, 6, 7]);
    expect(byPartition(1)).toEqual([0, 1]);
    expect(all.find((b) => b.partition === 0)!.values[0]).toEqual(Buffer.from('v5'));
    expect(all.find((b) => b.partition === 0)!.highWatermark).toBe(8);
    expect(resolved).toContain('0@7');
    expect(resolved).toContain('1@1');
    expect(released).toBe(2);
    expect(buf.size).toBe(0);
  });

  it('queues revoke before assign and lets the join proceed once revoke ran', async () => {
    const st = new RebalanceState();
    expect(st.prepareJoin()).toBeUndefined();
    st.assigned([{ topic: 't', partition: 0 }]);
    const log: string[] = [];
    const listener = { onPartitionsRevoked: (tps: readonly unknown[]) => void log.push(`revoked ${tps.length}`), onPartitionsAssigned: (tps: readonly unknown[]) => void log.push(`assigned ${tps.length}`) };
    await st.deliver(listener, async () => undefined);
    const join = st.prepareJoin();
    expect(join).toBeDefined();
    let joined = false;
    void join!.then(() => (joined = true));
    st.assigned([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    await Promise.resolve();
    expect(joined).toBe(false);
    await st.deliver(listener, async () => undefined);
    await Promise.resolve();
    expect(joined).toBe(true);
    expect(log).toEqual(['assigned 1', 'revoked 1', 'assigned 2']);
  });
});
