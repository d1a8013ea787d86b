import type { KeyValue } from '../graph/processor-types.js';
import type { Deserializer } from '../graph/serde-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { RawRecord, TestRecord } from './test-record.js';

/** Reads what the topology wrote to a topic, oldest first; reading consumes. */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    readonly topic: string,
    private readonly keyDeserializer: Deserializer<K>,
    private readonly valueDeserializer: Deserializer<V>,
    private readonly queue: RawRecord[],
  ) {}

  readRecord(): TestRecord<K, V> {
    const raw = this.queue.shift();
    if (!raw) throw new StreamwrightError('APP_STATE', `No record left in output topic "${this.topic}". Check isEmpty() before reading.`, { topic: this.topic });
    return {
      key: this.keyDeserializer.deserialize(this.topic, raw.key),
      value: this.valueDeserializer.deserialize(this.topic, raw.value),
      timestamp: raw.timestamp,
      headers: raw.headers,
      topic: this.topic,
    };
  }

  readKeyValue(): KeyValue<K, V> {
    const r = this.readRecord();
    return [r.key, r.value];
  }

  readValue(): V {
    return this.readRecord().value;
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (this.queue.length > 0) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): KeyValue<K, V>[] {
    return this.readRecordsToList().map((r) => [r.key, r.value] as const);
  }

  readValuesToList(): V[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Last value per key, as a table would hold it (tombstones delete). */
  readKeyValuesToMap(): Map<K, V> {
    const m = new Map<K, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null) m.delete(r.key);
      else m.set(r.key, r.value);
    }
    return m;
  }

  getQueueSize(): number {
    return this.queue.length;
  }

  isEmpty(): boolean {
    return this.queue.length === 0;
  }
}
