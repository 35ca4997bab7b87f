// Kafka 2.8's binary key/value formats of __consumer_offsets records (offset commits and group metadata).
//
// Every key and value starts with an int16 schema version. Strings are int16-length UTF-8 (-1 = null),
// bytes are int32-length. Keys: offset commit v1 (group, topic, partition), group metadata v2 (group).
// Values: offset commit v3 (offset, leader epoch, metadata, commit timestamp) or v1 when an explicit
// expire timestamp must be kept; group metadata v3. Older versions are decoded for logs written elsewhere.
import { Reader } from '../protocol/buffers';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export interface OffsetCommitKey {
  kind: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  kind: 'group';
  group: string;
}

export type OffsetsRecordKey = OffsetCommitKey | GroupMetadataKey;

export interface OffsetCommitValue {
  offset: bigint;
  leaderEpoch: number; // -1 when unknown
  metadata: string;
  commitTimestamp: bigint;
  /** Only for v1 values (explicit retention from OffsetCommit v2-4); null otherwise. */
  expireTimestamp: bigint | null;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: bigint; // -1 when unknown
  members: GroupMemberValue[];
}

/** Small append-only builder for these schemas. */
class Out {
  private parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    if (b.length > 0x7fff) throw new RangeError('string longer than 32767 bytes');
    return this.int16(b.length).push(b);
  }
  bytes(b: Buffer): this {
    return this.int32(b.length).push(b);
  }
  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function readString(r: Reader): string {
  const s = readNullableString(r);
  if (s === null) throw new Error('unexpected null string');
  return s;
}

function readNullableString(r: Reader): string | null {
  const n = r.int16();
  return n < 0 ? null : r.utf8(n, 'string');
}

function readBytes(r: Reader): Buffer {
  const n = r.int32();
  // Copy: the source buffer is a log read that should not be kept alive by the cache.
  return n < 0 ? Buffer.alloc(0) : Buffer.from(r.view(n, 'bytes'));
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Out().int16(OFFSET_COMMIT_KEY_VERSION).string(group).string(topic).int32(partition).done();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Out().int16(GROUP_METADATA_KEY_VERSION).string(group).done();
}

/** Decodes a key; null for versions this format does not know (such keys are skipped on load, as Kafka does). */
export function decodeKey(buf: Buffer): OffsetsRecordKey | null {
  const r = new Reader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const group = readString(r);
    const topic = readString(r);
    return { kind: 'offset', group, topic, partition: r.int32() };
  }
  if (version === 2) return { kind: 'group', group: readString(r) };
  return null;
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  if (v.expireTimestamp !== null) {
    return new Out().int16(1).int64(v.offset).string(v.metadata).int64(v.commitTimestamp).int64(v.expireTimestamp).done();
  }
  return new Out()
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(v.commitTimestamp)
    .done();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new Error(`unknown offset commit value version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = readString(r);
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : null;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const out = new Out()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(v.protocolType)
    .int32(v.generation)
    .string(v.protocol)
    .string(v.leader)
    .int64(v.currentStateTimestamp)
    .int32(v.members.length);
  for (const m of v.members) {
    out
      .string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return out.done();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new Error(`unknown group metadata value version ${version}`);
  const protocolType = readString(r);
  const generation = r.int32();
  const protocol = readNullableString(r);
  const leader = readNullableString(r);
  const currentStateTimestamp = version >= 2 ? r.int64() : -1n;
  const count = r.int32();
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = readString(r);
    const groupInstanceId = version >= 3 ? readNullableString(r) : null;
    const clientId = readString(r);
    const clientHost = readString(r);
    const sessionOrRebalance = r.int32();
    // v0 has only the session timeout, which then also serves as rebalance timeout (as Kafka loads it).
    const rebalanceTimeout = sessionOrRebalance;
    const sessionTimeout = version >= 1 ? r.int32() : sessionOrRebalance;
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout,
      sessionTimeout,
      subscription: readBytes(r),
      assignment: readBytes(r),
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
