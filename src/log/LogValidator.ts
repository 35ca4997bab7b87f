// What the leader checks in a produced record set before assigning offsets (Kafka 2.8's LogValidator, magic v2):
// batch-level rules for client writes, and a walk over every record (decompressing compressed batches) for record
// framing, keys on compacted topics and timestamps. Followers copy the leader's batches and skip all of this.
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  LAST_OFFSET_DELTA,
  PRODUCER_ID,
  RECORDS,
  RECORD_COUNT,
  compressionOf,
  isControl,
  isLogAppendTime,
  isTransactional,
} from '../protocol/record/batch-header';
import { CompressionType, decompress } from '../protocol/record/compression';
import { LogError, LogErrorCode } from './errors';

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
      // Brook has no transaction coordinator yet: a transactional batch could never be committed or aborted, and
      // read_committed consumers would stall on it. Refused until transactions exist.
      if (isTransactional(attributes)) throw invalid(`Transactional record batches are not supported by this broker (topic partition ${tp}).`);
    }
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
    walkRecords(section, count, codec !== CompressionType.None, tp, (offsetDelta, timestampDelta, hasKey, index) => {
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
      void index;
    });
  }
}

/**
 * Walks `count` records of a record section without copying keys or values: length-delimited framing, varint
 * fields and header lists must line up exactly and no byte may remain. In compressed batches the offset deltas
 * must run 0, 1, 2, … (Kafka rewrites such a batch; Brook refuses it, see the README).
 */
function walkRecords(section: Buffer, count: number, compressed: boolean, tp: string, visit: (offsetDelta: number, timestampDelta: number, hasKey: boolean, index: number) => void): void {
  const end = section.length;
  let pos = 0;
  const framing = (i: number, what: string): LogError => invalid(`Found invalid record structure in record ${i} of the batch in topic partition ${tp}: ${what}`);
  // Zig-zag varint of at most 5 bytes, as a JS number.
  const varint = (i: number): number => {
    let u = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw framing(i, 'varint past the end of the records');
      const byte = section[pos++] as number;
      if (shift === 28 && byte > 0x0f) throw framing(i, 'varint too long');
      u |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    u >>>= 0;
    return (u >>> 1) ^ -(u & 1);
  };
  // Zig-zag varlong of at most 10 bytes; exact as a JS number up to 2^53 (timestamps and their deltas are).
  const varlong = (i: number): number => {
    let u = 0;
    let mul = 1;
    for (let n = 0; ; n++) {
      if (pos >= end) throw framing(i, 'varlong past the end of the records');
      if (n >= 10) throw framing(i, 'varlong too long');
      const byte = section[pos++] as number;
      u += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) break;
      mul *= 128;
    }
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  };
  const skipBytes = (i: number, len: number, what: string): void => {
    if (len < 0) return;
    if (pos + len > end) throw framing(i, `${what} of ${len} bytes runs past the end of the records`);
    pos += len;
  };
  for (let i = 0; i < count; i++) {
    const len = varint(i);
    const recordEnd = pos + len;
    if (len <= 0 || recordEnd > end) throw invalid(`Invalid record size: record ${i} of the batch in topic partition ${tp} declares ${len} bytes, ${end - pos} remain`);
    pos += 1; // attributes: unused in v2
    const timestampDelta = varlong(i);
    const offsetDelta = varint(i);
    if (compressed && offsetDelta !== i) {
      throw invalid(`Inner record ${i} inside the compressed record batch does not have incremental offsets, expected offset delta is ${i}, received offset delta is ${offsetDelta} in topic partition ${tp}.`);
    }
    const keyLen = varint(i);
    if (keyLen < -1) throw framing(i, `key length ${keyLen}`);
    skipBytes(i, keyLen, 'key');
    const valueLen = varint(i);
    if (valueLen < -1) throw framing(i, `value length ${valueLen}`);
    skipBytes(i, valueLen, 'value');
    const headers = varint(i);
    if (headers < 0) throw framing(i, `header count ${headers}`);
    for (let h = 0; h < headers; h++) {
      const hk = varint(i);
      if (hk < 0) throw framing(i, `header key length ${hk}`);
      skipBytes(i, hk, 'header key');
      const hv = varint(i);
      if (hv < -1) throw framing(i, `header value length ${hv}`);
      skipBytes(i, hv, 'header value');
    }
    if (pos !== recordEnd) throw invalid(`Invalid record size: expected to read ${len} bytes in record payload, but instead read ${len - (recordEnd - pos)} (record ${i}, topic partition ${tp})`);
    visit(offsetDelta, timestampDelta, keyLen >= 0, i);
  }
  if (pos !== end) throw invalid(`Incorrect declared batch size, records still remaining in file (${end - pos} bytes after ${count} records, topic partition ${tp})`);
}
