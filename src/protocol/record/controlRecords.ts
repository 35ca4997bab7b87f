// Control records (KIP-98): the end-transaction markers (COMMIT/ABORT) a transaction coordinator has written into
// every partition of a transaction, as one control batch each (Kafka's EndTransactionMarker and ControlRecordType).
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, RECORDS, RECORD_COUNT, compressionOf, isControl, readBatchHeader } from './batch-header';
import { decodeRecordSection, buildRecordBatchSync } from './records';
import { decompressSync, type CompressionType } from './compression';

export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
/** The only control-record key and end-transaction-marker value version Kafka writes. */
export const CONTROL_RECORD_VERSION = 0;

export interface EndTxnMarker {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  /** The marker record's timestamp (the coordinator's clock). */
  timestamp: bigint;
}

export interface ControlRecord {
  /** The key's version (parsed as version 0 whatever it says, as Kafka does for higher ones). */
  version: number;
  /** ControlRecordType: 0 ABORT, 1 COMMIT (other values are unknown control types). */
  type: number;
  /** The end-transaction marker's coordinator epoch; -1 when the record is not a marker. */
  coordinatorEpoch: number;
}

/**
 * One whole magic-2 batch carrying one end-transaction marker: attributes transactional|control (0x30), no
 * compression, base sequence -1, base offset 0 (the leader assigns the real one), a valid CRC-32C. The record's key
 * is int16 version + int16 type, its value int16 version + int32 coordinator epoch.
 */
export function buildEndTxnMarker(m: EndTxnMarker): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(CONTROL_RECORD_VERSION, 0);
  key.writeInt16BE(m.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(CONTROL_RECORD_VERSION, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  return buildRecordBatchSync({
    baseOffset: 0n,
    records: [{ key, value, timestamp: m.timestamp }],
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
  });
}

/**
 * The control record of the control batch at `batchPos` (its first record; a marker batch holds one). Null when the
 * batch is not a control batch or has no record left (the cleaner may empty one). A key or value too short, or a
 * negative version, is corrupt (throws RangeError); a higher version is read as version 0.
 */
export function readControlRecord(batch: Buffer, batchPos: number): ControlRecord | null {
  const h = readBatchHeader(batch, batchPos);
  if (!isControl(h.attributes)) return null;
  if (batch.readInt32BE(batchPos + RECORD_COUNT) <= 0) return null;
  const end = batchPos + h.batchLength + LOG_OVERHEAD;
  if (end > batch.length || h.batchLength + LOG_OVERHEAD < BATCH_HEADER_SIZE) throw new RangeError(`control batch at ${batchPos} runs past the buffer`);
  const section = decompressSync(compressionOf(h.attributes) as CompressionType, batch.subarray(batchPos + RECORDS, end));
  const [record] = decodeRecordSection(section, 1, h.baseOffset, h.baseTimestamp, h.maxTimestamp, false);
  if (!record || record.key === null || record.key.length < 4) throw new RangeError('control record without a valid key');
  const version = record.key.readInt16BE(0);
  if (version < 0) throw new RangeError(`control record key version ${version}`);
  const type = record.key.readInt16BE(2);
  let coordinatorEpoch = -1;
  if (type === ControlRecordType.ABORT || type === ControlRecordType.COMMIT) {
    const v = record.value;
    if (v === null || v.length < 6) throw new RangeError('end transaction marker value is too short');
    const valueVersion = v.readInt16BE(0);
    if (valueVersion < 0) throw new RangeError(`end transaction marker version ${valueVersion}`);
    coordinatorEpoch = v.readInt32BE(2);
  }
  return { version, type, coordinatorEpoch };
}
