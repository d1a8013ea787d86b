import { Kafka } from 'kafkajs';
import type { Backend, ConsumerOptions, LogAdmin, LogConsumer, LogProducer, ProducerOptions } from '../backend-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';
import { resolveKafkaConfig, type KafkaBackendConfig } from './kafka-config.js';
import { createLogCreator, kafkaJsLogLevel } from './kafka-log-creator.js';
import { KafkaLogAdmin } from './kafka-admin.js';
import { KafkaLogConsumer } from './kafka-consumer.js';
import { KafkaLogProducer } from './kafka-producer.js';
import { TopicMetadataCache } from './kafka-topic-metadata.js';

interface Closeable {
  close(): Promise<void>;
}

/** The Apache Kafka backend on kafkajs. Nothing outside src/backend/kafka imports kafkajs. */
export function createKafkaBackend(config: KafkaBackendConfig): Backend {
  const cfg = resolveKafkaConfig(config);
  const kafka = new Kafka({
    clientId: cfg.clientId,
    brokers: cfg.brokers,
    connectionTimeout: cfg.connectionTimeoutMs,
    requestTimeout: cfg.requestTimeoutMs,
    retry: { retries: cfg.retries, initialRetryTime: cfg.retryBackoffMs, maxRetryTime: cfg.retryBackoffMaxMs },
    logLevel: kafkaJsLogLevel(cfg.logLevel),
    logCreator: createLogCreator(cfg.logger),
  });
  const open = new Set<Closeable>();
  const forget = (c: Closeable) => open.delete(c);
  let closed = false;
  let shared: KafkaLogAdmin | undefined;
  let metadata: TopicMetadataCache | undefined;

  const sharedAdmin = (): KafkaLogAdmin => (shared ??= new KafkaLogAdmin(kafka, cfg, () => (shared = undefined)));
  const check = (what: string) => {
    if (closed) throw new StreamwrightError('LOG_CLOSED', `Kafka backend at ${cfg.bootstrapServers} is closed; cannot create a ${what}. Create a new backend.`, {});
  };

  return {
    kind: 'kafka',
    description: `kafka at ${cfg.bootstrapServers}`,
    admin(): LogAdmin {
      check('admin client');
      const a = new KafkaLogAdmin(kafka, cfg, forget);
      open.add(a);
      return a;
    },
    consumer(opts: ConsumerOptions): LogConsumer {
      check('consumer');
      const c = new KafkaLogConsumer(kafka, cfg, opts, () => sharedAdmin().raw(), forget);
      open.add(c);
      return c;
    },
    producer(opts: ProducerOptions): LogProducer {
      check('producer');
      metadata ??= new TopicMetadataCache(kafka.admin(), cfg.bootstrapServers);
      const p = new KafkaLogProducer(kafka, cfg, opts, metadata, forget);
      open.add(p);
      return p;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const all = [...open];
      open.clear();
      const results = await Promise.allSettled([...all.map((c) => c.close()), shared?.close(), metadata?.close()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) {
        throw new StreamwrightError('BACKEND', `Closing the Kafka backend at ${cfg.bootstrapServers} failed: ${String(failed.reason)}.`, {}, { cause: failed.reason });
      }
    },
  };
}
