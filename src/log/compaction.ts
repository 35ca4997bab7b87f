// Record-level compaction of magic-2 batches: reading a batch's keys, keeping the records a cleaner decides to keep
// (copied byte for byte, so offsets, timestamps and headers never change) and re-signing the batch under its own codec.
// The log cleaner (LogCleaner.ts) drives these per batch; compactRecords is the same rules over batches in memory.
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  RECORDS,
  compressionOf,
  isControl,
  isLogAppendTime,
  iterateBatches,
  readBatchHeader,
  writeBatchCrc,
  writeBatchHeader,
  type BatchHeader,
} from '../protocol/record/batch-header';
import { CompressionType, compress, compressSync, decompress, decompressSync } from '../protocol/record/compression';
import { SectionReader } from '../protocol/record/sectionReader';

/**
 * One record of a batch, as the scan sees it. The same object is reused for every record: read it in the callback,
 * never keep it.
 */
export interface RecordInfo {
  offset: number;
  /** CreateTime in ms, or the batch's time for a LogAppendTime batch. */
  timestamp: number;
  /** The key is `section[keyStart, keyEnd)`; keyStart is -1 for a null key. */
  keyStart: number;
  keyEnd: number;
  /** false for a tombstone (null value). */
  hasValue: boolean;
  /** The whole record (length prefix included) is `section[start, end)`. */
  start: number;
  end: number;
}

/** Decides whether a record stays; `section` is the batch's uncompressed record section. */
export type RetainRecord = (r: Readonly<RecordInfo>, section: Buffer) => boolean;

// ---- record scanning ------------------------------------------------------------------------------------------------

/**
 * Visits the `count` records of an uncompressed record section (Kafka's DefaultRecord layout). Throws RangeError on
 * a malformed record.
 */
export function scanRecords(section: Buffer, h: BatchHeader, visit: (r: RecordInfo) => void): void {
  const baseOffset = Number(h.baseOffset);
  const baseTimestamp = Number(h.baseTimestamp);
  const appendTime = isLogAppendTime(h.attributes) ? Number(h.maxTimestamp) : null;
  const r: RecordInfo = { offset: 0, timestamp: 0, keyStart: -1, keyEnd: -1, hasValue: false, start: 0, end: 0 };
  const rd = new SectionReader(section);
  for (let i = 0; i < h.recordCount; i++) {
    r.start = rd.pos;
    const len = rd.varint();
    r.end = rd.pos + len;
    if (len < 0 || r.end > section.length) throw new RangeError(`record ${i} length ${len} out of range`);
    rd.pos++; // attributes
    const tsDelta = rd.varlong();
    r.offset = baseOffset + rd.varint();
    r.timestamp = appendTime ?? baseTimestamp + tsDelta;
    const keyLen = rd.varint();
    if (keyLen < 0) r.keyStart = r.keyEnd = -1;
    else {
      r.keyStart = rd.pos;
      r.keyEnd = rd.pos + keyLen;
      rd.pos = r.keyEnd;
    }
    r.hasValue = rd.varint() >= 0;
    if (rd.pos > r.end) throw new RangeError(`record ${i} runs past its length`);
    rd.pos = r.end; // value and headers are never looked at
    visit(r);
  }
}

/** The batch's header and its record section, decompressed with the batch's codec (zstd and others, asynchronously). */
export async function readBatchRecords(batch: Buffer): Promise<{ header: BatchHeader; section: Buffer }> {
  const header = readBatchHeader(batch);
  const section = await decompress(compressionOf(header.attributes) as CompressionType, batch.subarray(RECORDS, header.batchLength + LOG_OVERHEAD));
  return { header, section };
}

// ---- filtering ------------------------------------------------------------------------------------------------------

/** The records a batch keeps: all, none, or a new uncompressed section with the survivors. */
type Retained = 'all' | 'none' | { section: Buffer; count: number; maxTimestamp: bigint };

function retainRecords(h: BatchHeader, section: Buffer, retain: RetainRecord): Retained {
  const kept: number[] = []; // start, end pairs
  let bytes = 0;
  let maxTs = -Infinity;
  scanRecords(section, h, (r) => {
    if (!retain(r, section)) return;
    kept.push(r.start, r.end);
    bytes += r.end - r.start;
    if (r.timestamp > maxTs) maxTs = r.timestamp;
  });
  const count = kept.length / 2;
  if (count === h.recordCount) return 'all';
  if (count === 0) return 'none';
  const out = Buffer.allocUnsafe(bytes);
  let p = 0;
  for (let i = 0; i < kept.length; i += 2) p += section.copy(out, p, kept[i] as number, kept[i + 1] as number);
  // Kafka's batch builder: a CreateTime batch's max timestamp is its records' maximum; LogAppendTime keeps the batch's.
  const maxTimestamp = isLogAppendTime(h.attributes) ? h.maxTimestamp : BigInt(maxTs);
  return { section: out, count, maxTimestamp };
}

/**
 * The batch rebuilt around a new record section: base offset and last offset delta (so no offset is ever reused),
 * producer fields, base timestamp and codec stay; record count, length, max timestamp and CRC are recomputed.
 */
function rebuildBatch(h: BatchHeader, payload: Buffer, count: number, maxTimestamp: bigint): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  writeBatchHeader(out, { ...h, batchLength: out.length - LOG_OVERHEAD, recordCount: count, maxTimestamp, crc: 0 }, 0);
  payload.copy(out, BATCH_HEADER_SIZE);
  writeBatchCrc(out, 0);
  return out;
}

/**
 * Applies `retain` to every record of one batch (`batch` holds exactly that batch). Returns the same buffer when
 * every record stays, null when none does, or a new batch re-compressed with the batch's own codec. Control batches
 * stay as they are.
 */
export async function filterBatch(batch: Buffer, retain: RetainRecord): Promise<Buffer | null> {
  if (isControl(batch.readInt16BE(ATTRIBUTES))) return batch;
  const { header, section } = await readBatchRecords(batch);
  const r = retainRecords(header, section, retain);
  if (r === 'all') return batch;
  if (r === 'none') return null;
  return rebuildBatch(header, await compress(compressionOf(header.attributes) as CompressionType, r.section), r.count, r.maxTimestamp);
}

/** {@link filterBatch} with the synchronous codecs (every codec but zstd). */
export function filterBatchSync(batch: Buffer, retain: RetainRecord): Buffer | null {
  const header = readBatchHeader(batch);
  if (isControl(header.attributes)) return batch;
  const codec = compressionOf(header.attributes) as CompressionType;
  const r = retainRecords(header, decompressSync(codec, batch.subarray(RECORDS, header.batchLength + LOG_OVERHEAD)), retain);
  if (r === 'all') return batch;
  if (r === 'none') return null;
  return rebuildBatch(header, compressSync(codec, r.section), r.count, r.maxTimestamp);
}

// ---- compaction of batches in memory ----------------------------------------------------------------------------------

export interface CompactOptions {
  /** delete.retention.ms: tombstones whose timestamp is older than now - this are removed. */
  deleteRetentionMs: number;
  /** Current time in ms. */
  now: number;
}

/**
 * The cleaner's rules over magic-2 batches held in memory (offset order), for small sets such as a test's or a
 * coordinator's: the latest record per key stays, tombstones go once older than delete.retention.ms (by record
 * timestamp here; the log cleaner uses segment times as Kafka), records without a key go (Kafka's cleaner drops them),
 * batches left empty go, control batches stay. Offsets never change. Every codec but zstd; see compactRecordsAsync.
 */
export function compactRecords(batches: Buffer[], opts: CompactOptions): Buffer[] {
  const views = eachBatch(batches);
  const retain = latestPerKey(views, (b) => decompressSync(compressionOf(readBatchHeader(b).attributes) as CompressionType, b.subarray(RECORDS)), opts);
  return views.flatMap((b) => filterBatchSync(b, retain) ?? []);
}

/** {@link compactRecords} for any codec. */
export async function compactRecordsAsync(batches: Buffer[], opts: CompactOptions): Promise<Buffer[]> {
  const views = eachBatch(batches);
  const sections = new Map<Buffer, Buffer>();
  for (const b of views) if (!isControl(b.readInt16BE(ATTRIBUTES))) sections.set(b, (await readBatchRecords(b)).section);
  const retain = latestPerKey(views, (b) => sections.get(b) as Buffer, opts);
  const out: Buffer[] = [];
  for (const b of views) {
    const kept = await filterBatch(b, retain);
    if (kept) out.push(kept);
  }
  return out;
}

/** Each whole batch of the buffers, as its own buffer (a view, not a copy). */
function eachBatch(buffers: Buffer[]): Buffer[] {
  return buffers.flatMap((buf) => [...iterateBatches(buf)].map((v) => buf.subarray(v.position, v.position + v.size)));
}

/** An exact key → latest offset map over the batches (one batch each), and the retention rule built on it. */
function latestPerKey(views: Buffer[], section: (batch: Buffer) => Buffer, opts: CompactOptions): RetainRecord {
  const latest = new Map<string, number>();
  for (const b of views) {
    const h = readBatchHeader(b);
    if (isControl(h.attributes)) continue;
    const s = section(b);
    scanRecords(s, h, (r) => {
      if (r.keyStart >= 0) latest.set(s.toString('latin1', r.keyStart, r.keyEnd), r.offset);
    });
  }
  const horizon = opts.now - opts.deleteRetentionMs;
  return (r, s) => r.keyStart >= 0 && latest.get(s.toString('latin1', r.keyStart, r.keyEnd)) === r.offset && (r.hasValue || r.timestamp >= horizon);
}
