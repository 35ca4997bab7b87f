// What an append checks and stamps in a record set (Kafka 2.8's LogValidator and Log.analyzeAndValidateRecords, magic
// v2): every batch's header, on leader and follower; on the leader, batch-level rules for client writes and a walk over
// every record (decompressing compressed batches) for record framing, keys on compacted topics and timestamps, then
// the offsets, leader epoch and LogAppendTime stamped into the batches. Followers copy the leader's batches as they are.
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_ID,
  RECORDS,
  RECORD_COUNT,
  checkBatch,
  compressionOf,
  isControl,
  isLogAppendTime,
  isTransactional,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
} from '../protocol/record/batch-header';
import { CompressionType, decompress } from '../protocol/record/compression';
import { SectionReader } from '../protocol/record/sectionReader';
import { LogError, LogErrorCode, corrupt } from './errors';
import type { AppendedBatch } from './LogSegment';

export interface RecordValidationOptions {
  /** `<topic>-<partition>`, for messages. */
  topicPartition: string;
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
  /** The topic's message.timestamp.type. */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.difference.max.ms. */
  timestampDiffMaxMs: number;
  /** Wall-clock ms used for the timestamp check. */
  now: number;
  /** A client's produce (Kafka's AppendOrigin.Client): batch-level client rules apply; coordinators skip them. */
  fromClient: boolean;
}

/** A batch of the record set: where it is and its size (header already checked: CRC, magic, length). */
export interface BatchLocation {
  position: number;
  size: number;
}

const invalid = (msg: string): LogError => new LogError(LogErrorCode.INVALID_RECORD, msg);

/** One batch of an append, as its header says. */
export interface ValidatedBatch extends BatchLocation {
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: bigint;
  baseOffset: bigint;
  partitionLeaderEpoch: number;
}

/**
 * Header-level validation of every batch of an append (Kafka's analyzeAndValidateRecords); throws before anything is
 * written. `leader` adds the producer's count rule (a follower copies the leader's batches as they are: compaction
 * can leave fewer records than the offset range).
 */
export function analyzeAndValidateBatches(buf: Buffer, leader: boolean, maxMessageBytes: number): ValidatedBatch[] {
  const out: ValidatedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const r = checkBatch(buf, pos, buf.length);
    if (typeof r !== 'number') {
      if (r.kind === 'old-magic') throw new LogError(LogErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `batch at ${pos}: ${r.reason} is not supported`);
      throw corrupt(`batch at byte ${pos}: ${r.reason}`);
    }
    if (r > maxMessageBytes) throw new LogError(LogErrorCode.MESSAGE_TOO_LARGE, `batch of ${r} bytes exceeds max.message.bytes ${maxMessageBytes}`);
    const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
    const recordCount = buf.readInt32BE(pos + RECORD_COUNT);
    if (lastOffsetDelta < 0) throw invalid(`batch at byte ${pos} has a negative lastOffsetDelta`);
    if (leader && (recordCount <= 0 || recordCount !== lastOffsetDelta + 1)) {
      throw invalid(`batch at byte ${pos}: record count ${recordCount} inconsistent with lastOffsetDelta ${lastOffsetDelta}`);
    }
    out.push({
      position: pos,
      size: r,
      lastOffsetDelta,
      recordCount,
      maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
      baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
      partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    });
    pos += r;
  }
  return out;
}

/**
 * The offsets an append will take, and its batches' largest max timestamp (for the roll decision; `valid` is not
 * empty). The leader's batches get consecutive offsets from `nextOffset`; a follower's keep the leader's offsets,
 * which must extend the log in order.
 */
export function appendOffsetRange(valid: readonly ValidatedBatch[], assignOffsets: boolean, nextOffset: bigint): { firstOffset: bigint; lastOffset: bigint; maxTimestamp: bigint } {
  const first = valid[0] as ValidatedBatch;
  const last = valid[valid.length - 1] as ValidatedBatch;
  if (!assignOffsets) {
    let expected = nextOffset;
    for (const b of valid) {
      if (b.baseOffset < expected) {
        throw new LogError(LogErrorCode.UNKNOWN_SERVER_ERROR, `out of order offsets: batch ${b.baseOffset} below expected ${expected}`);
      }
      expected = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n;
    }
  }
  const firstOffset = assignOffsets ? nextOffset : first.baseOffset;
  const lastOffset = assignOffsets ? nextOffset + BigInt(valid.reduce((s, b) => s + b.lastOffsetDelta + 1, 0)) - 1n : last.baseOffset + BigInt(last.lastOffsetDelta);
  const maxTimestamp = valid.reduce((m, b) => (b.maxTimestamp > m ? b.maxTimestamp : m), -1n);
  return { firstOffset, lastOffset, maxTimestamp };
}

export interface OffsetAssignment {
  /** Where each batch goes in the segment (its offsets and max timestamp as written). */
  appended: AppendedBatch[];
  maxTimestamp: bigint;
  offsetOfMaxTimestamp: bigint;
  numMessages: number;
  /** The offset after the last batch. */
  nextOffset: bigint;
}

/**
 * The offsets of an append. On the leader (`leader` set, Kafka's assignOffsetsNonCompressed) the batches get
 * consecutive offsets from `firstOffset`, the leader epoch and, under LogAppendTime, that time, written into the
 * buffer in place; a follower's batches keep the leader's offsets.
 */
export function assignOffsets(buf: Buffer, valid: readonly ValidatedBatch[], firstOffset: bigint, leader: { leaderEpoch: number; logAppendTime: bigint | null } | null): OffsetAssignment {
  const appended: AppendedBatch[] = [];
  let offset = firstOffset;
  let maxTimestamp = -1n;
  let offsetOfMaxTimestamp = -1n;
  let numMessages = 0;
  for (const b of valid) {
    const base = leader ? offset : b.baseOffset;
    if (leader) {
      setBaseOffset(buf, b.position, base);
      setPartitionLeaderEpoch(buf, b.position, leader.leaderEpoch);
      if (leader.logAppendTime !== null) {
        setLogAppendTime(buf, b.position, leader.logAppendTime);
        b.maxTimestamp = leader.logAppendTime;
      }
    }
    const lastInBatch = base + BigInt(b.lastOffsetDelta);
    if (b.maxTimestamp > maxTimestamp) {
      maxTimestamp = b.maxTimestamp;
      offsetOfMaxTimestamp = lastInBatch;
    }
    appended.push({ relativePosition: b.position, size: b.size, baseOffset: base, lastOffset: lastInBatch, maxTimestamp: b.maxTimestamp });
    numMessages += b.recordCount;
    offset = lastInBatch + 1n;
  }
  return { appended, maxTimestamp, offsetOfMaxTimestamp, numMessages, nextOffset: offset };
}

/**
 * Validates a record set on the leader; throws a LogError with Kafka's code (INVALID_RECORD, CORRUPT_MESSAGE,
 * INVALID_TIMESTAMP) and message, leaving the buffer untouched. Uncompressed batches are walked in place;
 * compressed ones are decompressed off the event loop (the codecs run on libuv's thread pool).
 */
export async function validateRecordSet(buf: Buffer, batches: readonly BatchLocation[], opts: RecordValidationOptions): Promise<void> {
  const tp = opts.topicPartition;
  if (batches.length === 0) throw invalid('Record batch has no batches at all');
  // Magic v2: one batch per partition per produce request (Kafka's getFirstBatchAndMaybeValidateNoMoreBatches).
  if (batches.length > 1) throw invalid('Compressed outer record has more than one batch');
  for (const b of batches) {
    const pos = b.position;
    const attributes = buf.readInt16BE(pos + ATTRIBUTES);
    const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
    const count = buf.readInt32BE(pos + RECORD_COUNT);
    if (opts.fromClient) {
      const countFromOffsets = lastOffsetDelta + 1;
      const base = buf.readBigInt64BE(pos + BASE_OFFSET);
      if (countFromOffsets <= 0) throw invalid(`Batch has an invalid offset range: [${base}, ${base + BigInt(lastOffsetDelta)}] in topic partition ${tp}.`);
      if (count <= 0) throw invalid(`Invalid reported count for record batch: ${count} in topic partition ${tp}.`);
      if (countFromOffsets !== count) throw invalid(`Inconsistent batch offset range [${base}, ${base + BigInt(lastOffsetDelta)}] and count of records ${count} in topic partition ${tp}.`);
      if (isControl(attributes)) throw invalid(`Clients are not allowed to write control records in topic partition ${tp}.`);
      const producerId = buf.readBigInt64BE(pos + PRODUCER_ID);
      const baseSequence = buf.readInt32BE(pos + BASE_SEQUENCE);
      if (producerId >= 0n && baseSequence < 0) throw invalid(`Invalid sequence number ${baseSequence} in record batch with producerId ${producerId} in topic partition ${tp}.`);
      // Kafka 2.8 has no rule of its own here (its producer state skips batches without a producer id), but a
      // transactional batch without one could never be committed or aborted: read_committed consumers would stall.
      if (isTransactional(attributes) && producerId < 0n) throw invalid(`Transactional record batch without a producer id in topic partition ${tp}.`);
    }
    // End-transaction markers come from the transaction coordinator one per batch (Kafka's ControlRecordUtils).
    if (!opts.fromClient && isControl(attributes) && count !== 1) throw invalid(`Control batch with ${count} records in topic partition ${tp}: an end transaction marker batch holds exactly one.`);
    if (isLogAppendTime(attributes) && opts.fromClient) {
      throw new LogError(LogErrorCode.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp: Producer should not set timestamp type to LogAppendTime.');
    }
    const codec = compressionOf(attributes);
    const sectionStart = pos + RECORDS;
    const sectionEnd = pos + b.size;
    let section: Buffer;
    if (codec === CompressionType.None) section = buf.subarray(sectionStart, sectionEnd);
    else {
      try {
        section = await decompress(codec as CompressionType, buf.subarray(sectionStart, sectionEnd));
      } catch (e) {
        throw new LogError(LogErrorCode.CORRUPT_MESSAGE, `compressed records (codec ${codec}) of the batch in topic partition ${tp} do not decompress: ${(e as Error).message}`, e);
      }
    }
    const checkTimestamps = opts.timestampType === 'CreateTime' && opts.timestampDiffMaxMs < Number.MAX_SAFE_INTEGER;
    const baseTimestamp = Number(buf.readBigInt64BE(pos + BASE_TIMESTAMP));
    walkRecords(section, count, codec !== CompressionType.None, tp, (offsetDelta, timestampDelta, hasKey) => {
      if (opts.compacted && !hasKey) throw invalid(`One or more records have been rejected: Compacted topic cannot accept message without key in topic partition ${tp}.`);
      if (checkTimestamps) {
        const ts = baseTimestamp + timestampDelta;
        if (ts !== -1 && Math.abs(ts - opts.now) > opts.timestampDiffMaxMs) {
          throw new LogError(
            LogErrorCode.INVALID_TIMESTAMP,
            `One or more records have been rejected due to invalid timestamp: Timestamp ${ts} of message with offset ${offsetDelta} is out of range. The timestamp should be within [${opts.now - opts.timestampDiffMaxMs}, ${opts.now + opts.timestampDiffMaxMs}]`,
          );
        }
      }
    });
  }
}

/**
 * Walks `count` records of a record section without copying keys or values: length-delimited framing, varint
 * fields and header lists must line up exactly and no byte may remain. In compressed batches the offset deltas
 * must run 0, 1, 2, … (Kafka rewrites such a batch; Brook refuses it, see the README).
 */
function walkRecords(section: Buffer, count: number, compressed: boolean, tp: string, visit: (offsetDelta: number, timestampDelta: number, hasKey: boolean) => void): void {
  const rd = new SectionReader(section);
  for (let i = 0; i < count; i++) {
    let len: number;
    let offsetDelta: number;
    let timestampDelta: number;
    let keyLen: number;
    let recordEnd: number;
    try {
      len = rd.varint();
      recordEnd = rd.pos + len;
      if (len <= 0 || recordEnd > section.length) throw invalid(`Invalid record size: record ${i} of the batch in topic partition ${tp} declares ${len} bytes, ${section.length - rd.pos} remain`);
      rd.pos += 1; // attributes: unused in v2
      timestampDelta = rd.varlong();
      offsetDelta = rd.varint();
      keyLen = rd.varint();
      if (keyLen < -1) throw new RangeError(`key length ${keyLen}`);
      rd.skip(keyLen, 'key');
      const valueLen = rd.varint();
      if (valueLen < -1) throw new RangeError(`value length ${valueLen}`);
      rd.skip(valueLen, 'value');
      const headers = rd.varint();
      if (headers < 0) throw new RangeError(`header count ${headers}`);
      for (let h = 0; h < headers; h++) {
        const hk = rd.varint();
        if (hk < 0) throw new RangeError(`header key length ${hk}`);
        rd.skip(hk, 'header key');
        const hv = rd.varint();
        if (hv < -1) throw new RangeError(`header value length ${hv}`);
        rd.skip(hv, 'header value');
      }
    } catch (e) {
      if (e instanceof RangeError) throw invalid(`Found invalid record structure in record ${i} of the batch in topic partition ${tp}: ${e.message}`);
      throw e;
    }
    if (rd.pos !== recordEnd) throw invalid(`Invalid record size: expected to read ${len} bytes in record payload, but instead read ${len - (recordEnd - rd.pos)} (record ${i}, topic partition ${tp})`);
    if (compressed && offsetDelta !== i) {
      throw invalid(`Inner record ${i} inside the compressed record batch does not have incremental offsets, expected offset delta is ${i}, received offset delta is ${offsetDelta} in topic partition ${tp}.`);
    }
    visit(offsetDelta, timestampDelta, keyLen >= 0);
  }
  if (rd.pos !== section.length) throw invalid(`Incorrect declared batch size, records still remaining in file (${section.length - rd.pos} bytes after ${count} records, topic partition ${tp})`);
}
