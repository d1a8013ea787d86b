import { createHash } from 'node:crypto';
import type { Serde } from '../../graph/serde-types.js';
import { StreamwrightError } from '../../errors/streamwright-error.js';

/**
 * Hash of a left value as it serializes (Kafka Streams hashes with murmur3-128; 128-bit MD5 here,
 * as a fingerprint, not for security). Subscriptions carry it; responses whose hash is not the
 * hash of the left row's current value are stale and dropped. null for a null value.
 */
export function valueHash(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : createHash('md5').update(bytes).digest();
}

export function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** The node's serde, else the app's default; SERDE_MISSING names the node and what to pass. */
export function serdeOrDefault(own: Serde<unknown> | undefined, fallback: Serde<unknown> | undefined, node: string, what: string): Serde<unknown> {
  const serde = own ?? fallback;
  if (serde === undefined) {
    throw new StreamwrightError(
      'SERDE_MISSING',
      `Foreign-key join processor "${node}" has no serde for the ${what}. Pass serdes to the tables' Consumed/Materialized, or set default.key.serde / default.value.serde.`,
      { node, missing: what },
    );
  }
  return serde;
}

/** Serializes a key or value the join must compare or ship as bytes; null from the serde is an error. */
export function toBytes(serde: Serde<unknown>, data: unknown, node: string, what: string): Buffer {
  const b = serde.serialize('', data);
  if (b === null) {
    throw new StreamwrightError('SERIALIZATION', `Foreign-key join processor "${node}": the ${what} serde ${serde.name} turned a non-null ${what} into null.`, { node });
  }
  return b;
}
