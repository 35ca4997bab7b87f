// Log compaction for compacted topics such as __consumer_offsets (cleanup.policy=compact) as a pure function over record batches:
// keep the latest record per key, drop tombstones older than delete.retention.ms, keep every offset stable.
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  LOG_OVERHEAD,
  isControl,
  iterateBatches,
  writeBatchCrc,
  writeBatchHeader,
  type BatchHeader,
} from '../protocol/record/batch-header';
import { decodeBatchRecords, decodeBatchRecordsSync, encodeVarint, encodeVarlong, type DecodedRecord } from '../protocol/record/records';

export interface CompactOptions {
  /** delete.retention.ms: tombstones whose timestamp is older than now - this are removed. */
  deleteRetentionMs: number;
  /** Current time in ms. */
  now: number;
}

/**
 * Compacts a sequence of magic-2 batches (as read from the log, in offset order). Surviving records keep
 * their offsets (batches keep base offset and last offset delta, so offsets are never reused); batches
 * left empty are dropped; control batches and batches without keys are kept unchanged.
 */
export function compactRecords(batches: Buffer[], opts: CompactOptions): Buffer[] {
  const decoded: DecodedBatch[] = [];
  for (const buf of batches) {
    for (const view of iterateBatches(buf)) {
      const raw = buf.subarray(view.position, view.position + view.size);
      decoded.push({ header: view.header, records: isControl(view.header.attributes) ? null : decodeBatchRecordsSync(raw), raw });
    }
  }
  return compactDecoded(decoded, opts);
}

/** Same as {@link compactRecords}, decoding asynchronously (needed for zstd-compressed batches). */
export async function compactRecordsAsync(batches: Buffer[], opts: CompactOptions): Promise<Buffer[]> {
  const decoded: DecodedBatch[] = [];
  for (const buf of batches) {
    for (const view of iterateBatches(buf)) {
      const raw = buf.subarray(view.position, view.position + view.size);
      decoded.push({ header: view.header, records: isControl(view.header.attributes) ? null : await decodeBatchRecords(raw), raw });
    }
  }
  return compactDecoded(decoded, opts);
}

interface DecodedBatch {
  header: BatchHeader;
  /** null for control batches (kept as they are). */
  records: DecodedRecord[] | null;
  raw: Buffer;
}

function compactDecoded(decoded: DecodedBatch[], opts: CompactOptions): Buffer[] {
  // Pass 1: the offset of the latest record per key.
  const latest = new Map<string, bigint>();
  for (const d of decoded) if (d.records) for (const r of d.records) if (r.key) latest.set(r.key.toString('hex'), r.offset);
  // Pass 2: rebuild batches with the survivors.
  const horizon = BigInt(opts.now - opts.deleteRetentionMs);
  const out: Buffer[] = [];
  for (const d of decoded) {
    if (d.records === null) {
      out.push(Buffer.from(d.raw));
      continue;
    }
    const kept = d.records.filter((r) => {
      if (!r.key) return true;
      if (latest.get(r.key.toString('hex')) !== r.offset) return false;
      return !(r.value === null && r.timestamp < horizon);
    });
    if (kept.length === 0) continue;
    if (kept.length === d.records.length) {
      out.push(Buffer.from(d.raw));
      continue;
    }
    out.push(rebuildBatch(d.header, kept));
  }
  return out;
}

function varBytes(b: Buffer | null): Buffer[] {
  return b === null ? [encodeVarint(-1)] : [encodeVarint(b.length), b];
}

/** Re-encodes surviving records uncompressed under the original header (offsets and deltas preserved). */
function rebuildBatch(original: BatchHeader, records: DecodedRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const body: Buffer[] = [
      Buffer.from([0]),
      encodeVarlong(r.timestamp - original.baseTimestamp),
      encodeVarint(Number(r.offset - original.baseOffset)),
      ...varBytes(r.key),
      ...varBytes(r.value),
      encodeVarint(r.headers.length),
    ];
    for (const h of r.headers) body.push(...varBytes(Buffer.from(h.key)), ...varBytes(h.value));
    const encoded = Buffer.concat(body);
    parts.push(encodeVarint(encoded.length), encoded);
  }
  const section = Buffer.concat(parts);
  const out = Buffer.alloc(BATCH_HEADER_SIZE + section.length);
  const header: BatchHeader = {
    ...original,
    attributes: original.attributes & ~COMPRESSION_MASK,
    batchLength: out.length - LOG_OVERHEAD,
    recordCount: records.length,
    crc: 0,
  };
  writeBatchHeader(out, header, 0);
  section.copy(out, BATCH_HEADER_SIZE);
  writeBatchCrc(out, 0);
  return out;
}
