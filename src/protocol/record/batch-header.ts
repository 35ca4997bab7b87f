// The magic-2 record batch header (61 bytes): read, patch and validate it without touching the records.
import { crc32c } from './crc32c';

/** Byte offsets of the magic-2 batch header fields (Kafka's DefaultRecordBatch). */
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
export const RECORDS = 61;
/** Size of the header; also the smallest possible batch. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the part of a batch not counted in batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;

export const NO_PRODUCER_ID = -1n;
export const NO_PARTITION_LEADER_EPOCH = -1;

export interface BatchHeader {
  baseOffset: bigint;
  /** Bytes after the batchLength field; the whole batch is `batchLength + 12` bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Parses the 61-byte header at `pos` (caller guarantees 61 bytes are present). */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    batchLength: buf.readInt32BE(pos + BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT),
  };
}

/** Serialises a header into `buf` at `pos`; `crc` is written as given (see {@link writeBatchCrc}). */
export function writeBatchHeader(buf: Buffer, h: BatchHeader, pos = 0): void {
  buf.writeBigInt64BE(h.baseOffset, pos + BASE_OFFSET);
  buf.writeInt32BE(h.batchLength, pos + BATCH_LENGTH);
  buf.writeInt32BE(h.partitionLeaderEpoch, pos + PARTITION_LEADER_EPOCH);
  buf.writeInt8(h.magic, pos + MAGIC);
  buf.writeUInt32BE(h.crc >>> 0, pos + CRC);
  buf.writeInt16BE(h.attributes, pos + ATTRIBUTES);
  buf.writeInt32BE(h.lastOffsetDelta, pos + LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(h.baseTimestamp, pos + BASE_TIMESTAMP);
  buf.writeBigInt64BE(h.maxTimestamp, pos + MAX_TIMESTAMP);
  buf.writeBigInt64BE(h.producerId, pos + PRODUCER_ID);
  buf.writeInt16BE(h.producerEpoch, pos + PRODUCER_EPOCH);
  buf.writeInt32BE(h.baseSequence, pos + BASE_SEQUENCE);
  buf.writeInt32BE(h.recordCount, pos + RECORD_COUNT);
}

export const batchSize = (buf: Buffer, pos = 0): number => buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
export const batchBaseOffset = (buf: Buffer, pos = 0): bigint => buf.readBigInt64BE(pos + BASE_OFFSET);
export const batchLastOffset = (buf: Buffer, pos = 0): bigint =>
  buf.readBigInt64BE(pos + BASE_OFFSET) + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA));
export const compressionOf = (attributes: number): number => attributes & COMPRESSION_MASK;
export const isLogAppendTime = (attributes: number): boolean => (attributes & TIMESTAMP_TYPE_MASK) !== 0;
export const isTransactional = (attributes: number): boolean => (attributes & TRANSACTIONAL_MASK) !== 0;
export const isControl = (attributes: number): boolean => (attributes & CONTROL_MASK) !== 0;

/** CRC-32C over attributes..end of the batch starting at `pos` of total `size` bytes. */
export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES, pos + size));
}

/** Recomputes and stores the CRC of the batch at `pos` (after changing attributes or timestamps). */
export function writeBatchCrc(buf: Buffer, pos = 0): void {
  buf.writeUInt32BE(computeBatchCrc(buf, pos, batchSize(buf, pos)), pos + CRC);
}

/** Fields outside the CRC range, so patching them needs no CRC recompute. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos + BASE_OFFSET);
}
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH);
}

/** Marks the batch as LogAppendTime with `now` as max timestamp, and re-signs it (Kafka's setMaxTimestamp). */
export function setLogAppendTime(buf: Buffer, pos: number, now: bigint): void {
  const attrs = buf.readInt16BE(pos + ATTRIBUTES);
  buf.writeInt16BE(attrs | TIMESTAMP_TYPE_MASK, pos + ATTRIBUTES);
  buf.writeBigInt64BE(now, pos + MAX_TIMESTAMP);
  writeBatchCrc(buf, pos);
}

export type BatchProblem =
  | { kind: 'truncated'; reason: string } // not enough bytes for the header or the declared length
  | { kind: 'corrupt'; reason: string } // bad length, bad CRC, unknown magic
  | { kind: 'old-magic'; reason: string }; // magic 0/1

/**
 * Checks the batch at `pos` in `buf` (whose valid data ends at `end`): lengths, magic and CRC.
 * Returns the total batch size, or a problem. Records are not decoded.
 */
export function checkBatch(buf: Buffer, pos: number, end: number, verifyCrc = true): number | BatchProblem {
  const remaining = end - pos;
  if (remaining < LOG_OVERHEAD) return { kind: 'truncated', reason: `only ${remaining} bytes left for a batch` };
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  const size = batchLength + LOG_OVERHEAD;
  if (remaining >= MAGIC + 1) {
    const magic = buf.readInt8(pos + MAGIC);
    if (magic === 0 || magic === 1) return { kind: 'old-magic', reason: `record batch magic ${magic}` };
    if (magic !== CURRENT_MAGIC) return { kind: 'corrupt', reason: `unknown magic ${magic}` };
  }
  if (size < BATCH_HEADER_SIZE) return { kind: 'corrupt', reason: `batch length ${batchLength} below the header size` };
  if (size > remaining) return { kind: 'truncated', reason: `batch of ${size} bytes but ${remaining} left` };
  if (verifyCrc) {
    const stored = buf.readUInt32BE(pos + CRC);
    const actual = computeBatchCrc(buf, pos, size);
    if (stored !== actual) return { kind: 'corrupt', reason: `CRC mismatch (stored ${stored}, computed ${actual})` };
  }
  return size;
}

/**
 * Steps through the batches laid end to end in `buf` from `position` by their length fields alone (no magic or CRC
 * check: see checkBatch), with no allocation per batch, so hot read paths use it as they would a hand-written loop.
 * A batch counts when its header lies before `available` and the batch ends by `end`. `available` defaults to `end`
 * (whole batches in the buffer); it is smaller when only headers are needed and a batch's records may lie beyond
 * what was read (positions and `end` are then relative to the buffer's start, `end` past its last byte).
 *
 *   for (const it = new BatchIterator(buf, 0, n); it.next(); ) use(it.position, it.size);
 *
 * Once next() returns false, `position` is where the batches stopped: after the last whole one, at an incomplete or
 * impossible one, or at the batch the loop broke at.
 */
export class BatchIterator {
  /** Position of the current batch in `buf`. */
  position: number;
  /** Size of the current batch; 0 before the first next() and after the last. */
  size = 0;

  constructor(
    readonly buf: Buffer,
    position: number,
    readonly end: number,
    readonly available: number = end,
  ) {
    this.position = position;
  }

  /** Moves to the next batch; false when there is no whole one there. */
  next(): boolean {
    const pos = (this.position += this.size);
    if (this.available - pos < BATCH_HEADER_SIZE) return (this.size = 0) !== 0;
    const size = this.buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    this.size = size < BATCH_HEADER_SIZE || pos + size > this.end ? 0 : size;
    return this.size !== 0;
  }

  get baseOffset(): bigint {
    return this.buf.readBigInt64BE(this.position + BASE_OFFSET);
  }
  get lastOffset(): bigint {
    return this.buf.readBigInt64BE(this.position + BASE_OFFSET) + BigInt(this.buf.readInt32BE(this.position + LAST_OFFSET_DELTA));
  }
  get maxTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.position + MAX_TIMESTAMP);
  }
}

export interface BatchView {
  /** Position of the batch in the buffer. */
  position: number;
  size: number;
  header: BatchHeader;
}

/**
 * The whole batches in `buf[start, end)` with their parsed headers (no validation beyond the length fields); stops at
 * the first incomplete batch. For cold paths: hot ones use {@link BatchIterator}, which this wraps.
 */
export function* iterateBatches(buf: Buffer, start = 0, end = buf.length): Generator<BatchView> {
  for (const it = new BatchIterator(buf, start, end); it.next(); ) yield { position: it.position, size: it.size, header: readBatchHeader(buf, it.position) };
}
