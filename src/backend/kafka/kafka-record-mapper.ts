import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Header, ProducerRecord } from '../backend-types.js';

/** Our ordered header list -> kafkajs's header object (repeated keys become arrays). */
export function toKafkaHeaders(headers: readonly Header[] | undefined): IHeaders | undefined {
  if (headers === undefined || headers.length === 0) return undefined;
  // Null header values are rejected before this point: kafkajs 2.2.4 cannot size them.
  const out: Record<string, Buffer | Buffer[]> = {};
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const v = h.value as Buffer;
    const prev = out[h.key];
    if (prev === undefined) out[h.key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[h.key] = [prev, v];
  }
  return out;
}

/** kafkajs's decoded header object -> our ordered list; undefined when the record has none. */
export function fromKafkaHeaders(headers: IHeaders | undefined): Header[] | undefined {
  if (headers === undefined) return undefined;
  let out: Header[] | undefined;
  for (const key in headers) {
    const v = headers[key] as Buffer | string | null | (Buffer | string | null)[] | undefined;
    if (v === undefined) continue;
    out ??= [];
    if (Array.isArray(v)) for (const x of v) out.push({ key, value: toBuffer(x) });
    else out.push({ key, value: toBuffer(v) });
  }
  return out;
}

function toBuffer(v: Buffer | string | null): Buffer | null {
  if (v === null) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

export function toKafkaMessage(r: ProducerRecord, partition: number): Message {
  return {
    key: r.key,
    value: r.value,
    partition,
    timestamp: String(r.timestamp),
    headers: toKafkaHeaders(r.headers),
  };
}

/** Columns of one partition's fetched records; arrays grow as records are appended. */
export interface ColumnBatch {
  offsets: number[];
  timestamps: number[];
  keys: (Buffer | null)[];
  values: (Buffer | null)[];
  headers: (Header[] | undefined)[];
}

/** Appends kafkajs messages [from, to) as columns; one pass, no per-record closures. */
export function appendColumns(out: ColumnBatch, messages: readonly KafkaMessage[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const m = messages[i];
    out.offsets.push(Number(m.offset));
    out.timestamps.push(Number(m.timestamp));
    out.keys.push(m.key ?? null);
    out.values.push(m.value ?? null);
    out.headers.push(fromKafkaHeaders(m.headers));
  }
}
