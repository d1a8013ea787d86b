import { StreamwrightError } from '../../errors/streamwright-error.js';
import type { GroupMemberMetadata, TopicPartition } from '../backend-types.js';

/**
 * The `userData` our co-partitioning assignor puts into the Kafka group protocol, so every member
 * learns which member (and which `application.server`) owns which partitions, as Kafka Streams'
 * SubscriptionInfo / AssignmentInfo do. Big-endian, Kafka protocol primitives:
 *
 * Subscription (each member's JoinGroup metadata):
 *   int16 version (2) | nullable string host | int16 error code
 * Assignment (the leader's SyncGroup, the same bytes for every member):
 *   int16 version (2) | int32 member count | per member: string memberId, nullable string host,
 *   int32 topic count | per topic: string topic, int32 partition count, int32 partition... |
 *   int16 error code
 *
 * The error code (version 2) is Kafka Streams' AssignorError: 0 none, 4 SHUTDOWN_REQUESTED. A member
 * whose subscription carries 4 asks the whole application to shut down (SHUTDOWN_APPLICATION); the
 * leader then gives every member no partitions and an assignment carrying 4. Version 1 (no error
 * code) reads as error code 0.
 *
 * A string is an int16 byte length then UTF-8; a null string has length -1. A later version keeps
 * this layout as its prefix and appends fields, so a decoder reads what it knows and ignores the
 * rest. Empty userData (a member of a release before this format) means "no host" / "no map".
 */
export const GROUP_METADATA_VERSION = 2;

/** Kafka Streams' AssignorError codes (the error code field of version 2). */
export const ASSIGNOR_ERROR_NONE = 0;
export const ASSIGNOR_ERROR_SHUTDOWN_REQUESTED = 4;

const MAX_STRING_BYTES = 0x7fff;

class Writer {
  private buf = Buffer.alloc(256);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  string(v: string | undefined, what: string): this {
    if (v === undefined) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > MAX_STRING_BYTES) {
      throw new StreamwrightError('CONFIG_INVALID', `Cannot encode group metadata: ${what} is ${bytes.length} bytes long; at most ${MAX_STRING_BYTES} fit. Use a shorter value.`, { what, bytes: bytes.length });
    }
    this.int16(bytes.length);
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    return this;
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

class Reader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new StreamwrightError(
        'BACKEND',
        `Malformed ${this.what} userData: ${field} at byte ${this.pos} needs ${n} bytes but only ${this.buf.length - this.pos} remain (${this.buf.length} bytes in all). ` +
          'Every member of the group must run a Streamwright version with the same group metadata format; restart the member that sent it.',
        { what: this.what, field, position: this.pos, length: this.buf.length },
      );
    }
  }

  int16(field: string): number {
    this.need(2, field);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(field: string): number {
    this.need(4, field);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A count of items each at least `minBytes` long: checked against the bytes left. */
  count(field: string, minBytes: number): number {
    const n = this.int32(field);
    if (n < 0) this.bad(`${field} is ${n}`);
    this.need(n * minBytes, `${field} (${n})`);
    return n;
  }

  string(field: string): string | undefined {
    const n = this.int16(field);
    if (n === -1) return undefined;
    if (n < 0) this.bad(`${field} has length ${n}`);
    this.need(n, field);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bad(why: string): never {
    throw new StreamwrightError(
      'BACKEND',
      `Malformed ${this.what} userData: ${why} (at byte ${this.pos} of ${this.buf.length}). Every member of the group must run a Streamwright version with the same group metadata format; restart the member that sent it.`,
      { what: this.what, position: this.pos, length: this.buf.length },
    );
  }

  version(): number {
    const v = this.int16('version');
    if (v < 1) this.bad(`version ${v} is not one this format defines (1 and later)`);
    return v;
  }
}

/** Subscription userData advertising `host` (undefined: the member set no application.server) and an error code. */
export function encodeSubscriptionUserData(host: string | undefined, errorCode = ASSIGNOR_ERROR_NONE): Buffer {
  return new Writer().int16(GROUP_METADATA_VERSION).string(host, 'application.server').int16(errorCode).done();
}

/** What a member's subscription says: its host and error code (0 for empty or version-1 userData). */
export function decodeSubscriptionInfo(userData: Buffer | null | undefined): { readonly host: string | undefined; readonly errorCode: number } {
  if (userData === null || userData === undefined || userData.length === 0) return { host: undefined, errorCode: ASSIGNOR_ERROR_NONE };
  const r = new Reader(userData, 'subscription');
  const version = r.version();
  const host = r.string('host');
  return { host, errorCode: version >= 2 ? r.int16('error code') : ASSIGNOR_ERROR_NONE };
}

/** The host a member advertised; undefined for empty userData or a null host. */
export function decodeSubscriptionUserData(userData: Buffer | null | undefined): string | undefined {
  return decodeSubscriptionInfo(userData).host;
}

/** Assignment userData: every member with its host and partitions, and the group's error code. */
export function encodeAssignmentUserData(members: readonly GroupMemberMetadata[], errorCode = ASSIGNOR_ERROR_NONE): Buffer {
  const w = new Writer().int16(GROUP_METADATA_VERSION).int32(members.length);
  for (const m of members) {
    w.string(m.memberId, 'member id').string(m.host, 'application.server');
    const byTopic = new Map<string, number[]>();
    for (const tp of m.partitions) {
      let list = byTopic.get(tp.topic);
      if (list === undefined) byTopic.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    w.int32(byTopic.size);
    for (const [topic, parts] of byTopic) {
      w.string(topic, 'topic name').int32(parts.length);
      for (const p of parts) w.int32(p);
    }
  }
  return w.int16(errorCode).done();
}

/**
 * The members map a leader sent; undefined for empty userData (no map). Members come back sorted
 * by member id and partitions by topic then partition, whatever order they were encoded in.
 */
export function decodeAssignmentUserData(userData: Buffer | null | undefined): GroupMemberMetadata[] | undefined {
  return decodeAssignmentInfo(userData)?.members;
}

/** The members map and the error code (0 for version 1) a leader sent; undefined for empty userData. */
export function decodeAssignmentInfo(userData: Buffer | null | undefined): { readonly members: GroupMemberMetadata[]; readonly errorCode: number } | undefined {
  if (userData === null || userData === undefined || userData.length === 0) return undefined;
  const r = new Reader(userData, 'assignment');
  const version = r.version();
  // Smallest member: memberId length (2) + host length (2) + topic count (4).
  const memberCount = r.count('member count', 8);
  const out: GroupMemberMetadata[] = [];
  for (let i = 0; i < memberCount; i++) {
    const memberId = r.string('member id') ?? r.bad(`member ${i} has a null member id`);
    const host = r.string('host');
    const topicCount = r.count('topic count', 6);
    const partitions: TopicPartition[] = [];
    for (let t = 0; t < topicCount; t++) {
      const topic = r.string('topic name') || r.bad(`member ${memberId} has a null or empty topic name`);
      const n = r.count('partition count', 4);
      for (let k = 0; k < n; k++) {
        const partition = r.int32('partition');
        if (partition < 0) r.bad(`member ${memberId} topic ${topic} lists partition ${partition}`);
        partitions.push({ topic, partition });
      }
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    out.push(host === undefined ? { memberId, partitions } : { memberId, host, partitions });
  }
  const errorCode = version >= 2 ? r.int16('error code') : ASSIGNOR_ERROR_NONE;
  return { members: out.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)), errorCode };
}
