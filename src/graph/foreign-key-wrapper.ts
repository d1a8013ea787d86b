/**
 * Records of the foreign-key join's internal topics (Kafka Streams' SubscriptionWrapper and
 * SubscriptionResponseWrapper) and their byte format. Keys and values of the joined tables travel
 * as bytes the join operators serialize themselves, so these serdes need no app defaults.
 *
 * Subscription (registration topic, keyed by the foreign key):
 *   1 byte version (0) | 1 byte instruction | 4 byte primary partition (int32 BE)
 *   | 1 byte hash length (0 = null) | hash | left key bytes (rest)
 * Response (response topic, keyed by the left key):
 *   1 byte version (0) | 1 byte hash length (0 = null) | hash | 1 byte has-value | foreign value bytes (rest)
 */
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Serde } from './serde-types.js';

/** What the right side does with a subscription (Kafka's SubscriptionWrapper.Instruction). */
export const SubscriptionInstruction = {
  /** Remove the subscription; the left side resolves the result itself. */
  DELETE_KEY_NO_PROPAGATE: 0,
  /** Remove the subscription and answer with a null foreign value. */
  DELETE_KEY_AND_PROPAGATE: 1,
  /** Add the subscription; answer with the foreign value, or null when there is none. */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  /** Add the subscription; answer only when a foreign value exists. */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const;
export type SubscriptionInstructionCode = (typeof SubscriptionInstruction)[keyof typeof SubscriptionInstruction];

export interface SubscriptionWrapper {
  readonly instruction: SubscriptionInstructionCode;
  /** Hash of the left value that sent it (null for a deleted left row). */
  readonly hash: Buffer | null;
  /** Serialized left key. */
  readonly leftKey: Buffer;
  /** Partition of the left task that sent it: the response goes back there. */
  readonly partition: number;
}

export interface SubscriptionResponse {
  /** The hash of the subscription this answers; stale when it differs from the current left value's. */
  readonly hash: Buffer | null;
  /** Serialized foreign (right) value; null when there is none. */
  readonly foreignValue: Buffer | null;
  /** Where the response goes (not serialized: the sink's partitioner uses it). */
  readonly partition: number;
}

function corrupt(what: string, topic: string, data: Buffer): StreamwrightError {
  return new StreamwrightError(
    'DESERIALIZATION',
    `A foreign-key join ${what} of ${data.length} bytes on topic "${topic}" is not in the expected format (version 0). The internal topic holds data of another version or topology: reset the application.`,
    { topic },
  );
}

export const subscriptionWrapperSerde: Serde<SubscriptionWrapper> = {
  name: 'SubscriptionWrapper',
  serialize(_topic, w) {
    if (w === null || w === undefined) return null;
    const hashLen = w.hash === null ? 0 : w.hash.length;
    const out = Buffer.allocUnsafe(7 + hashLen + w.leftKey.length);
    out[0] = 0;
    out[1] = w.instruction;
    out.writeInt32BE(w.partition, 2);
    out[6] = hashLen;
    if (w.hash !== null) w.hash.copy(out, 7);
    w.leftKey.copy(out, 7 + hashLen);
    return out;
  },
  deserialize(topic, data) {
    if (data === null) return null as unknown as SubscriptionWrapper;
    if (data.length < 7 || data[0] !== 0 || data[1] > 3 || data.length < 7 + data[6]) throw corrupt('subscription', topic, data);
    const hashLen = data[6];
    return {
      instruction: data[1] as SubscriptionInstructionCode,
      partition: data.readInt32BE(2),
      hash: hashLen === 0 ? null : Buffer.from(data.subarray(7, 7 + hashLen)),
      leftKey: Buffer.from(data.subarray(7 + hashLen)),
    };
  },
};

export const subscriptionResponseSerde: Serde<SubscriptionResponse> = {
  name: 'SubscriptionResponseWrapper',
  serialize(_topic, r) {
    if (r === null || r === undefined) return null;
    const hashLen = r.hash === null ? 0 : r.hash.length;
    const valueLen = r.foreignValue === null ? 0 : r.foreignValue.length;
    const out = Buffer.allocUnsafe(3 + hashLen + valueLen);
    out[0] = 0;
    out[1] = hashLen;
    if (r.hash !== null) r.hash.copy(out, 2);
    out[2 + hashLen] = r.foreignValue === null ? 0 : 1;
    if (r.foreignValue !== null) r.foreignValue.copy(out, 3 + hashLen);
    return out;
  },
  deserialize(topic, data) {
    if (data === null) return null as unknown as SubscriptionResponse;
    if (data.length < 3 || data[0] !== 0 || data.length < 3 + data[1]) throw corrupt('response', topic, data);
    const hashLen = data[1];
    const has = data[2 + hashLen] === 1;
    return {
      hash: hashLen === 0 ? null : Buffer.from(data.subarray(2, 2 + hashLen)),
      foreignValue: has ? Buffer.from(data.subarray(3 + hashLen)) : null,
      partition: -1,
    };
  },
};

/** Value of the subscription store: the subscription's hash and where to answer. */
export interface SubscriptionEntry {
  readonly hash: Buffer | null;
  readonly partition: number;
}

/** Subscription store value: 4 byte partition | hash (rest; empty = null). */
export const subscriptionEntrySerde: Serde<SubscriptionEntry> = {
  name: 'SubscriptionEntry',
  serialize(_topic, e) {
    if (e === null || e === undefined) return null;
    const hashLen = e.hash === null ? 0 : e.hash.length;
    const out = Buffer.allocUnsafe(4 + hashLen);
    out.writeInt32BE(e.partition, 0);
    if (e.hash !== null) e.hash.copy(out, 4);
    return out;
  },
  deserialize(topic, data) {
    if (data === null) return null as unknown as SubscriptionEntry;
    if (data.length < 4) throw corrupt('subscription store value', topic, data);
    return { partition: data.readInt32BE(0), hash: data.length === 4 ? null : Buffer.from(data.subarray(4)) };
  },
};

/** Subscription store key (Kafka's CombinedKey): 4 byte foreign key length | foreign key | left key. */
export function combinedKey(foreignKey: Buffer, leftKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + foreignKey.length + leftKey.length);
  out.writeUInt32BE(foreignKey.length, 0);
  foreignKey.copy(out, 4);
  leftKey.copy(out, 4 + foreignKey.length);
  return out;
}

export function splitCombinedKey(key: Buffer): { foreignKey: Buffer; leftKey: Buffer } {
  const n = key.length >= 4 ? key.readUInt32BE(0) : -1;
  if (n < 0 || key.length < 4 + n) {
    throw new StreamwrightError('DESERIALIZATION', `A foreign-key subscription store key of ${key.length} bytes is not in the (foreign key, left key) format. Reset the application's state.`);
  }
  return { foreignKey: key.subarray(4, 4 + n), leftKey: key.subarray(4 + n) };
}
