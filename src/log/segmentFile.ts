// Reading a segment's .log file batch by batch: positioned reads, header-only scans, the crash-recovery validation
// scan, and the record search inside one batch. Functions over a file descriptor; LogSegment owns the state.
import * as fs from 'fs';
import { promisify } from 'util';
import { BATCH_HEADER_SIZE, BASE_OFFSET, BatchIterator, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, batchSize, checkBatch } from '../protocol/record/batch-header';
import { batchRecordTimestamps } from '../protocol/record/records';
import { LogError, LogErrorCode } from './errors';

const preadCb = promisify(fs.read);

const SCAN_CHUNK = 8 * 1024; // header scans are short: the index puts an entry every index.interval.bytes
const RECOVERY_CHUNK = 8 * 1024 * 1024;

/** Reads `length` bytes at `position` unless the file ends first; returns the bytes read. */
export async function pread(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await preadCb(fd, buf, offset + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

export function preadSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** A batch located in a segment file (header fields needed by the log only). */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** A ListOffsets-by-time answer: the record's offset and timestamp, and its batch's partitionLeaderEpoch (-1: none). */
export interface TimestampLookup {
  offset: bigint;
  timestamp: bigint;
  leaderEpoch: number;
}

/** The iterator's current batch, read from a chunk that starts at `chunkPosition` in the file. */
function batchLocation(it: BatchIterator, chunkPosition: number): BatchLocation {
  const baseOffset = it.baseOffset;
  return { position: chunkPosition + it.position, size: it.size, baseOffset, lastOffset: baseOffset + BigInt(it.buf.readInt32BE(it.position + LAST_OFFSET_DELTA)), maxTimestamp: it.maxTimestamp };
}

/** The max timestamp of the file's first batch, or null when it has none. */
export function firstBatchTimestampSync(fd: number, fileSize: number): bigint | null {
  if (fileSize < BATCH_HEADER_SIZE) return null;
  const h = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  preadSync(fd, h, 0, BATCH_HEADER_SIZE, 0);
  return h.readBigInt64BE(MAX_TIMESTAMP);
}

/** Visits batch headers in [from, to) synchronously; stops at an incomplete batch. Returns the end position reached. */
export function forEachHeaderSync(fd: number, from: number, to: number, visit: (b: BatchLocation) => void): number {
  const buf = Buffer.allocUnsafe(SCAN_CHUNK);
  let pos = from;
  while (to - pos >= BATCH_HEADER_SIZE) {
    const n = preadSync(fd, buf, 0, Math.min(SCAN_CHUNK, to - pos), pos);
    // Headers only: a batch's records may lie past the chunk, so batches are bounded by `to`, headers by the chunk.
    const it = new BatchIterator(buf, 0, to - pos, n);
    while (it.next()) visit(batchLocation(it, pos));
    // Stopped at a header that was read (an impossible length, or a batch past `to`), or at an early end of file.
    if (n - it.position >= BATCH_HEADER_SIZE || it.position === 0) return pos + it.position;
    pos += it.position;
  }
  return pos;
}

/** Visits batch headers in [from, to) asynchronously until `visit` returns false. */
async function scanHeaders(fd: number, from: number, to: number, visit: (b: BatchLocation) => boolean): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, Math.max(to - from, BATCH_HEADER_SIZE)));
  let pos = from;
  while (to - pos >= BATCH_HEADER_SIZE) {
    const n = await pread(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (n < BATCH_HEADER_SIZE) return;
    const it = new BatchIterator(buf, 0, to - pos, n);
    while (it.next()) if (!visit(batchLocation(it, pos))) return;
    if (n - it.position >= BATCH_HEADER_SIZE) return; // an impossible length, or a batch past `to`
    pos += it.position;
  }
}

/** The first batch in [from, to) that `match` accepts, reading headers only. */
export async function findBatch(fd: number, from: number, to: number, match: (b: BatchLocation) => boolean): Promise<BatchLocation | null> {
  let found: BatchLocation | null = null;
  await scanHeaders(fd, from, to, (b) => {
    if (!match(b)) return true;
    found = b;
    return false;
  });
  return found;
}

export interface ValidPrefix {
  /** Bytes from the start of the file that hold valid batches. */
  validBytes: number;
  /** Offset after the last valid batch. */
  nextOffset: bigint;
  /** Why the scan stopped before the end, or null. */
  reason: string | null;
  /** Base offset of the first invalid batch, if its header was readable. */
  firstLost: bigint | null;
}

/**
 * Crash recovery's scan: validates every batch of the first `end` bytes (lengths, magic, CRC, offsets increasing
 * from `baseOffset`) until the first invalid one, in large chunks, decoding no record. `onBatch` sees every valid
 * batch in order with its partitionLeaderEpoch.
 */
export function validPrefixSync(fd: number, end: number, baseOffset: bigint, onBatch: (b: BatchLocation, partitionLeaderEpoch: number) => void): ValidPrefix {
  let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(end, BATCH_HEADER_SIZE)));
  let pos = 0;
  let next = baseOffset;
  let reason: string | null = null;
  let firstLost: bigint | null = null;
  while (pos < end) {
    const n = preadSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
    let p = 0;
    let stop = false;
    while (p < n) {
      const r = checkBatch(chunk, p, n);
      if (typeof r !== 'number') {
        if (r.kind === 'truncated' && pos + n < end) {
          // The batch runs past this chunk: re-read from its start, with a bigger chunk if it alone is bigger.
          if (p > 0) break;
          const need = batchSize(chunk, p);
          if (need > chunk.length && need <= end - pos) {
            chunk = Buffer.allocUnsafe(need);
            break;
          }
        }
        reason = r.reason;
        if (n - p >= 8) firstLost = chunk.readBigInt64BE(p + BASE_OFFSET);
        stop = true;
        break;
      }
      const base = chunk.readBigInt64BE(p + BASE_OFFSET);
      const lastOffset = base + BigInt(chunk.readInt32BE(p + LAST_OFFSET_DELTA));
      if (base < next || lastOffset < base) {
        reason = `batch offsets ${base}..${lastOffset} do not follow ${next - 1n}`;
        firstLost = base;
        stop = true;
        break;
      }
      onBatch({ position: pos + p, size: r, baseOffset: base, lastOffset, maxTimestamp: chunk.readBigInt64BE(p + MAX_TIMESTAMP) }, chunk.readInt32BE(p + PARTITION_LEADER_EPOCH));
      next = lastOffset + 1n;
      p += r;
    }
    pos += p;
    if (stop) break;
  }
  return { validBytes: Math.min(pos, end), nextOffset: next, reason, firstLost };
}

/** Reads the batch at `b` of `file` and answers its first record with offset >= startOffset and timestamp >= target. */
export async function searchBatch(fd: number, file: string, b: BatchLocation, target: bigint, startOffset: bigint): Promise<TimestampLookup | null> {
  const buf = Buffer.allocUnsafe(b.size);
  if ((await pread(fd, buf, 0, b.size, b.position)) < b.size) return null;
  try {
    for (const r of await batchRecordTimestamps(buf)) {
      if (r.timestamp >= target && r.offset >= startOffset) return { offset: r.offset, timestamp: r.timestamp, leaderEpoch: buf.readInt32BE(PARTITION_LEADER_EPOCH) };
    }
  } catch (e) {
    // A batch whose records cannot be read is bad data, not a failing disk (Kafka: CORRUPT_MESSAGE).
    throw new LogError(LogErrorCode.CORRUPT_MESSAGE, `${file}: records of the batch at position ${b.position} (offsets ${b.baseOffset}..${b.lastOffset}) cannot be read: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return null;
}
