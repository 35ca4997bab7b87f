// End-transaction markers (Kafka's EndTransactionMarker in a control batch): the bytes buildEndTxnMarker writes and
// what readControlRecord makes of them and of other versions.
import { ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, RECORD_COUNT, checkBatch, readBatchHeader } from '../../../../src/protocol/record/batch-header';
import { ControlRecordType, buildEndTxnMarker, readControlRecord } from '../../../../src/protocol/record/controlRecords';
import { buildRecordBatchSync, decodeBatchRecordsSync } from '../../../../src/protocol/record/records';

const marker = (commit: boolean) => buildEndTxnMarker({ producerId: 4242n, producerEpoch: 7, coordinatorEpoch: 13, commit, timestamp: 1_700_000_000_123n });

/** A control batch with the given key and value (hand-made versions). */
function controlBatch(key: Buffer, value: Buffer | null): Buffer {
  return buildRecordBatchSync({ records: [{ key, value, timestamp: 5n }], isControl: true, isTransactional: true, producerId: 1n, producerEpoch: 0 });
}
const int16s = (...xs: number[]): Buffer => {
  const b = Buffer.alloc(xs.length * 2);
  xs.forEach((x, i) => b.writeInt16BE(x, i * 2));
  return b;
};

describe('buildEndTxnMarker', () => {
  it('writes one signed magic-2 batch: attributes 0x30, base offset 0, base sequence -1, one record with Kafka key and value', () => {
    const b = marker(true);
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    const h = readBatchHeader(b);
    expect(h.attributes).toBe(0x30);
    expect(b.readInt16BE(ATTRIBUTES)).toBe(0x30);
    expect(b.readBigInt64BE(BASE_OFFSET)).toBe(0n);
    expect(b.readInt32BE(BASE_SEQUENCE)).toBe(-1);
    expect(b.readInt32BE(RECORD_COUNT)).toBe(1);
    expect(h).toMatchObject({ magic: 2, producerId: 4242n, producerEpoch: 7, lastOffsetDelta: 0, baseTimestamp: 1_700_000_000_123n, maxTimestamp: 1_700_000_000_123n });
    const [rec] = decodeBatchRecordsSync(b);
    expect(rec?.key).toEqual(Buffer.from([0, 0, 0, 1])); // version 0, type COMMIT
    expect(rec?.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 13])); // version 0, coordinator epoch 13
    expect(rec?.headers).toEqual([]);
  });

  it('an ABORT has type 0', () => {
    expect(decodeBatchRecordsSync(marker(false))[0]?.key).toEqual(Buffer.from([0, 0, 0, 0]));
  });
});

describe('readControlRecord', () => {
  it('reads back type, version and coordinator epoch, also inside a larger buffer', () => {
    expect(readControlRecord(marker(true), 0)).toEqual({ version: 0, type: ControlRecordType.COMMIT, coordinatorEpoch: 13 });
    const buf = Buffer.concat([buildRecordBatchSync({ records: [{ value: 'x' }] }), marker(false)]);
    const pos = buf.length - marker(false).length;
    expect(readControlRecord(buf, pos)).toEqual({ version: 0, type: ControlRecordType.ABORT, coordinatorEpoch: 13 });
  });

  it('a higher key version is read as version 0; a negative one is corrupt', () => {
    const v = Buffer.alloc(6);
    v.writeInt32BE(9, 2);
    expect(readControlRecord(controlBatch(int16s(3, 1, 99), v), 0)).toEqual({ version: 3, type: 1, coordinatorEpoch: 9 });
    expect(() => readControlRecord(controlBatch(int16s(-1, 1), v), 0)).toThrow(RangeError);
    expect(() => readControlRecord(controlBatch(int16s(0, 0), Buffer.from([0xff, 0xff, 0, 0, 0, 1])), 0)).toThrow(RangeError);
  });

  it('null for a data batch; an unknown control type has no coordinator epoch; a short key is corrupt', () => {
    expect(readControlRecord(buildRecordBatchSync({ records: [{ key: 'k', value: 'v' }] }), 0)).toBeNull();
    expect(readControlRecord(controlBatch(int16s(0, 5), null), 0)).toEqual({ version: 0, type: 5, coordinatorEpoch: -1 });
    expect(() => readControlRecord(controlBatch(Buffer.from([0, 0]), null), 0)).toThrow(RangeError);
    expect(() => readControlRecord(controlBatch(int16s(0, 1), Buffer.from([0, 0])), 0)).toThrow(RangeError);
  });
});
