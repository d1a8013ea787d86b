import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { ProducerRecord } from '../backend-types.js';

function bad(i: number, r: ProducerRecord, what: string): StreamwrightError {
  const topic = r !== null && typeof r === 'object' ? r.topic : undefined;
  return new StreamwrightError(
    'SERIALIZATION',
    `Record ${i} of the send${topic !== undefined ? ` to topic "${topic}"` : ''} is invalid: ${what}. Serialize keys, values and header values to Buffers (or null) before sending; nothing of this send was written.`,
    { index: i, topic },
  );
}

/** Checks the shape of one record before anything of its send is written. */
export function validateRecord(r: ProducerRecord, i: number): void {
  if (r === null || typeof r !== 'object') throw bad(i, r, 'not an object');
  if (typeof r.topic !== 'string') throw bad(i, r, 'topic must be a string');
  if (r.key !== null && !Buffer.isBuffer(r.key)) throw bad(i, r, 'key must be a Buffer or null');
  if (r.value !== null && !Buffer.isBuffer(r.value)) throw bad(i, r, 'value must be a Buffer or null');
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) throw bad(i, r, `timestamp ${String(r.timestamp)} is not a finite number of epoch milliseconds`);
  const hs = r.headers;
  if (hs !== undefined) {
    if (!Array.isArray(hs) || hs.length > 0xffff) throw bad(i, r, 'headers must be an array of at most 65535 entries');
    for (const h of hs) {
      if (h === null || typeof h !== 'object' || typeof h.key !== 'string') throw bad(i, r, 'every header needs a string key');
      if (h.value !== null && !Buffer.isBuffer(h.value)) throw bad(i, r, `header "${h.key}" value must be a Buffer or null`);
      if (h.key.length > 0x3fff && Buffer.byteLength(h.key) > 0xffff) throw bad(i, r, `header key is longer than 65535 bytes`);
    }
  }
}
