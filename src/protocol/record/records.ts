// Individual records inside a magic-2 batch (zig-zag varints, headers) and a batch builder for tools and tests.
import {
  BATCH_HEADER_SIZE,
  BatchHeader,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  RECORDS,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
  readBatchHeader,
  writeBatchCrc,
  writeBatchHeader,
} from './batch-header';
import { CompressionType, compress, compressSync, decompress, decompressSync } from './compression';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeader[];
  /** CreateTime in ms; defaults to Date.now(). */
  timestamp?: bigint;
}

export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

// ---- zig-zag varints -------------------------------------------------------------------------

/** Growable byte writer for the record section. */
class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  uvarint(v: number): void {
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }
  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }
  varlong(v: bigint): void {
    this.ensure(10);
    let x = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }
  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('varint past end of buffer');
      const b = this.buf[this.pos++] as number;
      if (shift === 28 && b > 0x0f) throw new RangeError('varint too long');
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('varlong past end of buffer');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new RangeError('varlong too long');
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  int8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('int8 past end of buffer');
    return this.buf.readInt8(this.pos++);
  }
  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new RangeError('bytes past end of buffer');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

export function encodeVarint(v: number): Buffer {
  const w = new Writer(5);
  w.varint(v);
  return w.result();
}
export function encodeVarlong(v: bigint): Buffer {
  const w = new Writer(10);
  w.varlong(v);
  return w.result();
}
export function decodeVarint(buf: Buffer, pos = 0): { value: number; next: number } {
  const r = new Reader(buf, pos);
  return { value: r.varint(), next: r.pos };
}
export function decodeVarlong(buf: Buffer, pos = 0): { value: bigint; next: number } {
  const r = new Reader(buf, pos);
  return { value: r.varlong(), next: r.pos };
}

// ---- records ---------------------------------------------------------------------------------

const asBuf = (x: Buffer | string | null | undefined): Buffer | null =>
  x === null || x === undefined ? null : typeof x === 'string' ? Buffer.from(x) : x;

/** Encodes the (uncompressed) record section for records with the given base offset/timestamp. */
export function encodeRecords(records: RecordInput[], baseTimestamp: bigint, timestamps: bigint[]): Buffer {
  const out = new Writer(64 * records.length + 64);
  const body = new Writer(256);
  records.forEach((r, i) => {
    body.pos = 0;
    body.int8(0); // record attributes: unused
    body.varlong((timestamps[i] as bigint) - baseTimestamp);
    body.varint(i);
    const key = asBuf(r.key);
    if (key === null) body.varint(-1);
    else {
      body.varint(key.length);
      body.bytes(key);
    }
    const value = asBuf(r.value);
    if (value === null) body.varint(-1);
    else {
      body.varint(value.length);
      body.bytes(value);
    }
    const headers = r.headers ?? [];
    body.varint(headers.length);
    for (const h of headers) {
      const hk = Buffer.from(h.key);
      body.varint(hk.length);
      body.bytes(hk);
      if (h.value === null) body.varint(-1);
      else {
        body.varint(h.value.length);
        body.bytes(h.value);
      }
    }
    const encoded = body.result();
    out.varint(encoded.length);
    out.bytes(encoded);
  });
  return out.result();
}

/** Reads record `i`'s length, attributes, timestamp delta and offset delta; `end` is where the record ends. */
function readRecordPrefix(r: Reader, i: number): { end: number; tsDelta: bigint; offsetDelta: number } {
  const len = r.varint();
  const end = r.pos + len;
  if (len < 0 || end > r.buf.length) throw new RangeError(`record ${i} length ${len} out of range`);
  r.int8();
  const tsDelta = r.varlong();
  return { end, tsDelta, offsetDelta: r.varint() };
}

/** Decodes `count` records from an uncompressed record section. */
export function decodeRecordSection(section: Buffer, count: number, baseOffset: bigint, baseTimestamp: bigint, maxTimestamp: bigint, logAppendTime: boolean): DecodedRecord[] {
  const r = new Reader(section);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const { end, tsDelta, offsetDelta } = readRecordPrefix(r, i);
    const keyLen = r.varint();
    const key = keyLen < 0 ? null : Buffer.from(r.bytes(keyLen));
    const valueLen = r.varint();
    const value = valueLen < 0 ? null : Buffer.from(r.bytes(valueLen));
    const headerCount = r.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const hkLen = r.varint();
      const hk = r.bytes(hkLen).toString('utf8');
      const hvLen = r.varint();
      headers.push({ key: hk, value: hvLen < 0 ? null : Buffer.from(r.bytes(hvLen)) });
    }
    if (r.pos !== end) throw new RangeError(`record ${i} has ${end - r.pos} trailing bytes`);
    out.push({
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ? maxTimestamp : baseTimestamp + tsDelta,
      key,
      value,
      headers,
    });
  }
  return out;
}

/** Decodes all records of the batch at `pos` (decompressing if needed; zstd needs {@link decodeBatchRecords}). */
export function decodeBatchRecordsSync(buf: Buffer, pos = 0): DecodedRecord[] {
  const h = readBatchHeader(buf, pos);
  const section = buf.subarray(pos + RECORDS, pos + h.batchLength + LOG_OVERHEAD);
  const plain = decompressSync((h.attributes & COMPRESSION_MASK) as CompressionType, section);
  return decodeRecordSection(plain, h.recordCount, h.baseOffset, h.baseTimestamp, h.maxTimestamp, (h.attributes & TIMESTAMP_TYPE_MASK) !== 0);
}

/** The header of the batch at `pos` and its record section, decompressed (any codec). */
async function plainBatch(buf: Buffer, pos: number): Promise<{ h: BatchHeader; plain: Buffer; logAppendTime: boolean }> {
  const h = readBatchHeader(buf, pos);
  const section = buf.subarray(pos + RECORDS, pos + h.batchLength + LOG_OVERHEAD);
  const plain = await decompress((h.attributes & COMPRESSION_MASK) as CompressionType, section);
  return { h, plain, logAppendTime: (h.attributes & TIMESTAMP_TYPE_MASK) !== 0 };
}

export async function decodeBatchRecords(buf: Buffer, pos = 0): Promise<DecodedRecord[]> {
  const { h, plain, logAppendTime } = await plainBatch(buf, pos);
  return decodeRecordSection(plain, h.recordCount, h.baseOffset, h.baseTimestamp, h.maxTimestamp, logAppendTime);
}

export interface RecordTimestamp {
  offset: bigint;
  /** The record's CreateTime, or the batch's max timestamp in a LogAppendTime batch (as Kafka's Record.timestamp()). */
  timestamp: bigint;
}

/**
 * Offset and timestamp of each record of the batch at `pos`, in offset order, decompressing if needed (any codec).
 * Only each record's prefix is read: keys, values and headers are skipped, never copied.
 */
export async function batchRecordTimestamps(buf: Buffer, pos = 0): Promise<Generator<RecordTimestamp>> {
  const { h, plain, logAppendTime } = await plainBatch(buf, pos);
  return (function* () {
    const r = new Reader(plain);
    for (let i = 0; i < h.recordCount; i++) {
      const { end, tsDelta, offsetDelta } = readRecordPrefix(r, i);
      r.pos = end;
      yield { offset: h.baseOffset + BigInt(offsetDelta), timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + tsDelta };
    }
  })();
}

// ---- builder ---------------------------------------------------------------------------------

export interface BuildBatchOptions {
  baseOffset?: bigint;
  records: RecordInput[];
  compression?: CompressionType;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Marks the batch LogAppendTime (maxTimestamp then stands for every record). */
  logAppendTime?: boolean;
}

function prepare(opts: BuildBatchOptions): { header: BatchHeader; section: Buffer } {
  if (opts.records.length === 0) throw new RangeError('a record batch needs at least one record');
  const now = BigInt(Date.now());
  const timestamps = opts.records.map((r) => r.timestamp ?? now);
  // Kafka takes the first record's timestamp as base; deltas may be negative, which varlongs allow.
  const base = timestamps[0] as bigint;
  let max = base;
  for (const t of timestamps) if (t > max) max = t;
  const compression = opts.compression ?? CompressionType.None;
  const attributes =
    (compression & COMPRESSION_MASK) |
    (opts.logAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
    (opts.isTransactional ? TRANSACTIONAL_MASK : 0) |
    (opts.isControl ? CONTROL_MASK : 0);
  const header: BatchHeader = {
    baseOffset: opts.baseOffset ?? 0n,
    batchLength: 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    magic: CURRENT_MAGIC,
    crc: 0,
    attributes,
    lastOffsetDelta: opts.records.length - 1,
    baseTimestamp: base,
    maxTimestamp: max,
    producerId: opts.producerId ?? -1n,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    recordCount: opts.records.length,
  };
  return { header, section: encodeRecords(opts.records, base, timestamps) };
}

function assemble(header: BatchHeader, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  header.batchLength = out.length - LOG_OVERHEAD;
  writeBatchHeader(out, header, 0);
  payload.copy(out, BATCH_HEADER_SIZE);
  writeBatchCrc(out, 0);
  return out;
}

/** Builds a signed magic-2 batch; every codec except zstd (use {@link buildRecordBatch}). */
export function buildRecordBatchSync(opts: BuildBatchOptions): Buffer {
  const { header, section } = prepare(opts);
  return assemble(header, compressSync((header.attributes & COMPRESSION_MASK) as CompressionType, section));
}

/** Builds a signed magic-2 batch with any codec. */
export async function buildRecordBatch(opts: BuildBatchOptions): Promise<Buffer> {
  const { header, section } = prepare(opts);
  return assemble(header, await compress((header.attributes & COMPRESSION_MASK) as CompressionType, section));
}

