import type { ProducerRecord } from '../backend/backend-types.js';
import type { Header } from '../graph/processor-types.js';
import type { RecordCollector } from './record-collector.js';

/** Collects serialized sink output between sends; the thread drains it after each poll. */
export class BufferingCollector implements RecordCollector {
  private records: ProducerRecord[] = [];

  send(topic: string, partition: number | undefined, key: Buffer | null, value: Buffer | null, timestamp: number, headers: readonly Header[] | undefined): void {
    this.records.push(partition === undefined ? { topic, key, value, timestamp, headers } : { topic, partition, key, value, timestamp, headers });
  }

  get size(): number {
    return this.records.length;
  }

  drain(): ProducerRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }

  discard(): void {
    this.records = [];
  }
}
