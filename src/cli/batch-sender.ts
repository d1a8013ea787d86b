import type { LogProducer, ProducerRecord } from '../backend/backend-types.js';

/** A send carries at most this many records or bytes (of values and keys). */
export const MAX_BATCH_RECORDS = 10_000;
export const MAX_BATCH_BYTES = 4 << 20;

/**
 * Batches records the way Kafka's producer does: while one send is in flight (on the embedded
 * log, typically waiting for its fsync), new records collect into the next batch, which goes out
 * as soon as the previous send is acknowledged. One send in flight keeps records in order; a full
 * batch makes the reader wait (backpressure). One Promise per send, none per record.
 */
export class BatchSender {
  private batch: ProducerRecord[] = [];
  private bytes = 0;
  private inflight: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  /** Records acknowledged so far. */
  produced = 0;

  constructor(private readonly producer: LogProducer) {}

  add(record: ProducerRecord): void {
    this.batch.push(record);
    this.bytes += (record.value?.length ?? 0) + (record.key?.length ?? 0);
  }

  get full(): boolean {
    return this.batch.length >= MAX_BATCH_RECORDS || this.bytes >= MAX_BATCH_BYTES;
  }

  /** Starts sending what is pending unless a send is in flight; while the batch is full, waits. Throws a failed send's error. */
  async pump(): Promise<void> {
    this.check();
    this.start();
    while (this.full && this.inflight !== null) {
      await this.inflight;
      this.check();
    }
  }

  /** Sends everything pending and waits until all of it is acknowledged. */
  async drain(): Promise<void> {
    this.check();
    this.start();
    while (this.inflight !== null) {
      await this.inflight;
      this.check();
    }
  }

  private start(): void {
    if (this.inflight !== null || this.batch.length === 0 || this.failure !== null) return;
    const records = this.batch;
    this.batch = [];
    this.bytes = 0;
    this.inflight = this.producer.send(records).then(
      () => {
        this.produced += records.length;
        this.inflight = null;
        this.start();
      },
      (error: unknown) => {
        this.failure = { error };
        this.inflight = null;
      },
    );
  }

  private check(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}
