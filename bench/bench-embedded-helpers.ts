import type { LogAdmin, LogProducer, ProducerRecord } from '../src/backend/backend-types.js';

/**
 * Helpers the embedded-log benchmarks share: pre-producing input in batches and waiting until a
 * topic holds a number of records.
 */

/** Appends `values` (null keys) to partition 0 of `topic` in sends of `batchSize`. */
export async function produceAll(producer: LogProducer, topic: string, values: readonly Buffer[], batchSize = 5000): Promise<void> {
  const batch: ProducerRecord[] = [];
  for (let i = 0; i < values.length; i++) {
    batch.push({ topic, partition: 0, key: null, value: values[i], timestamp: 1_700_000_000_000 + i });
    if (batch.length === batchSize || i === values.length - 1) {
      await producer.send(batch);
      batch.length = 0;
    }
  }
}

/** Sum of the end offsets of every partition of `topic`. */
export async function endOffset(admin: LogAdmin, topic: string): Promise<number> {
  let n = 0;
  for (const p of await admin.listOffsets(topic)) n += p.latest;
  return n;
}

/**
 * Resolves once `topic` holds at least `expected` records, checking every `everyMs`; rejects after
 * `timeoutMs` (so a broken app cannot hang the benchmark).
 */
export function waitForEndOffset(admin: LogAdmin, topic: string, expected: number, timeoutMs: number, everyMs = 1): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      endOffset(admin, topic).then(
        (n) => {
          if (n >= expected) resolve();
          else if (Date.now() > deadline) reject(new Error(`topic ${topic} holds ${n} of ${expected} records after ${timeoutMs} ms`));
          else setTimeout(check, everyMs);
        },
        (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
      );
    };
    check();
  });
}
