import type { Observable, Subscription } from 'rxjs';
import type { Backend, LogProducer, ProducerRecord } from '../backend/backend-types.js';
import type { Serde } from '../graph/serde-types.js';
import { validateTopicName } from '../graph/topic-name.js';
import { isStreamwrightError, StreamwrightError } from '../errors/streamwright-error.js';

export interface ProduceFromOptions<T, K, V> {
  /** Where to write: any backend (the shared embedded log, Kafka); independent of any StreamsApp. */
  readonly backend: Backend;
  readonly topic: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** The record key of an item; without it keys are null (round-robin partitions, as in Kafka). */
  readonly key?: (item: T) => K;
  /** The record value of an item; without it the item itself is the value. */
  readonly value?: (item: T) => V;
  /** Event time of an item in epoch ms; default: the wall clock when the item arrives. */
  readonly timestamp?: (item: T) => number;
  /** Most records per producer.send(); a full batch is sent without waiting for the next tick. Default 500. */
  readonly maxBatchSize?: number;
  /** client.id of the producer. Default "streamwright-observable-<topic>". */
  readonly clientId?: string;
}

/** A running feed from an Observable into a topic (Subscription-like). */
export interface ProduceHandle {
  /**
   * Resolves once the source completed (or unsubscribe() was called), everything received was
   * acknowledged and the producer closed. Rejects with the first error: the source's own error
   * (after what arrived before it was written), a SERIALIZATION error, or the backend's send error.
   * Check it: this is where failures are reported.
   */
  readonly done: Promise<void>;
  /** Resolves when every item received so far has been acknowledged; rejects if the feed failed. */
  flush(): Promise<void>;
  /** Stops taking items, writes what was buffered, closes the producer; `done` settles after that. */
  unsubscribe(): void;
  readonly closed: boolean;
  /** Records acknowledged by the backend so far. */
  readonly acknowledged: number;
}

const DEFAULT_BATCH = 500;

/**
 * Feeds `topic` from an rxjs Observable (the edge where outside events enter the log). Items are
 * serialized as they arrive and buffered; one producer.send() carries a whole batch: the items of
 * one event-loop tick, or `maxBatchSize` of them. At most one send is in flight, so records keep
 * the order the Observable emitted them in. An Observable cannot be slowed down, so items that
 * arrive faster than the backend acknowledges them are buffered in memory.
 */
export function produceFrom<T, K = null, V = T>(source: Observable<T>, opts: ProduceFromOptions<T, K, V>): ProduceHandle {
  validateTopicName(opts.topic);
  const maxBatch = opts.maxBatchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new StreamwrightError('CONFIG_INVALID', `produceFrom(): maxBatchSize must be a positive integer, got ${String(maxBatch)}.`, { maxBatchSize: maxBatch });
  }
  return new ObservableFeed(source, opts, maxBatch);
}

class ObservableFeed<T, K, V> implements ProduceHandle {
  readonly done: Promise<void>;
  private acked = 0;
  private readonly topic: string;
  private readonly producer: LogProducer;
  private pending: ProducerRecord[] = [];
  private received = 0;
  private inFlight: Promise<void> | undefined;
  private tickScheduled = false;
  private stopped = false;
  /** A send failure: nothing more can be written. */
  private failure: Error | undefined;
  /** The first error of any kind (source error, serialization error, send failure). */
  private error: Error | undefined;
  private subscription: Subscription | undefined;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private readonly onTick = () => {
    this.tickScheduled = false;
    this.kick();
  };

  constructor(
    source: Observable<T>,
    private readonly opts: ProduceFromOptions<T, K, V>,
    private readonly maxBatch: number,
  ) {
    this.topic = opts.topic;
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // The handle reports through `done`; an unobserved rejection must not take the process down.
    this.done.catch(() => undefined);
    this.producer = opts.backend.producer({ clientId: opts.clientId ?? `streamwright-observable-${opts.topic}` });
    this.subscription = source.subscribe({
      next: (item) => this.onItem(item),
      error: (err: unknown) => this.finish(err instanceof Error ? err : new Error(String(err))),
      complete: () => this.finish(undefined),
    });
    if (this.stopped) this.subscription.unsubscribe();
  }

  get closed(): boolean {
    return this.stopped;
  }

  get acknowledged(): number {
    return this.acked;
  }

  async flush(): Promise<void> {
    // Each round sends a batch or waits for the one in flight; a send failure ends the loop.
    while (this.failure === undefined && (this.pending.length > 0 || this.inFlight !== undefined)) {
      this.kick();
      if (this.inFlight) await this.inFlight;
    }
    const error = this.failure ?? this.error;
    if (error) throw error;
  }

  unsubscribe(): void {
    this.finish(undefined);
  }

  private onItem(item: T): void {
    if (this.stopped) return;
    const n = this.received++;
    const { opts } = this;
    let record: ProducerRecord;
    try {
      const key = opts.key === undefined ? null : opts.keySerde.serialize(this.topic, opts.key(item));
      const value = opts.valueSerde.serialize(this.topic, opts.value === undefined ? (item as unknown as V) : opts.value(item));
      const timestamp = opts.timestamp === undefined ? Date.now() : opts.timestamp(item);
      if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
        throw new StreamwrightError('SERIALIZATION', `the timestamp function returned ${String(timestamp)}; it must return epoch milliseconds >= 0`, { topic: this.topic });
      }
      record = { topic: this.topic, key, value, timestamp };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.fail(
        new StreamwrightError(
          isStreamwrightError(err) ? err.code : 'SERIALIZATION',
          `produceFrom() could not turn item #${n} into a record for topic "${this.topic}": ${reason}. The ${n} items before it are written; nothing after it is taken. Fix the key/value/timestamp functions or the serdes.`,
          { topic: this.topic, item: n },
          { cause: err },
        ),
        true,
      );
      return;
    }
    this.pending.push(record);
    if (this.pending.length >= this.maxBatch) this.kick();
    else if (!this.tickScheduled) {
      this.tickScheduled = true;
      setImmediate(this.onTick);
    }
  }

  /** Starts a send of the buffered records unless one is in flight (its completion sends the rest). */
  private kick(): void {
    if (this.inFlight !== undefined || this.pending.length === 0 || this.failure !== undefined) return;
    const batch = this.pending.length <= this.maxBatch ? this.pending : this.pending.slice(0, this.maxBatch);
    this.pending = batch === this.pending ? [] : this.pending.slice(this.maxBatch);
    this.inFlight = this.send(batch);
  }

  private async send(batch: ProducerRecord[]): Promise<void> {
    try {
      await this.producer.send(batch);
      this.acked += batch.length;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const unsent = batch.length + this.pending.length;
      this.pending = [];
      this.fail(
        new StreamwrightError(
          isStreamwrightError(err) ? err.code : 'BACKEND',
          `produceFrom() could not write to topic "${this.topic}" on ${this.opts.backend.description}: ${reason}. ${this.acked} records were acknowledged; ${unsent} were not written and the source was unsubscribed.`,
          { topic: this.topic, acknowledged: this.acked, unsent },
          { cause: err },
        ),
        false,
      );
    } finally {
      this.inFlight = undefined;
    }
    // What arrived while this send was in flight goes out now, as the next batch.
    if (this.pending.length > 0) this.kick();
  }

  /** Records the first failure; `writeBuffered` writes what arrived before it (source/serialization errors). */
  private fail(error: Error, writeBuffered: boolean): void {
    if (this.failure === undefined && !writeBuffered) this.failure = error;
    this.finish(error);
  }

  /** Stops taking items, then writes what is buffered, closes the producer and settles `done`. */
  private finish(error: Error | undefined): void {
    this.error ??= error;
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    void this.close();
  }

  private async close(): Promise<void> {
    try {
      await this.flush();
    } catch {
      // this.error holds it
    }
    const first = this.error;
    try {
      await this.producer.close();
    } catch (err) {
      if (first === undefined) {
        this.settle.reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
    if (first !== undefined) this.settle.reject(first);
    else this.settle.resolve();
  }
}
