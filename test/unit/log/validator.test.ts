// The leader's record validation (Kafka 2.8's LogValidator for magic v2): batch rules for client writes, record
// framing (also inside compressed batches), keys on compacted topics, timestamps; nothing is written on a refusal.
import * as fs from 'fs';
import { LogErrorCode } from '../../../src/log/errors';
import type { Log } from '../../../src/log/Log';
import { RECORDS, writeBatchCrc, writeBatchHeader, readBatchHeader } from '../../../src/protocol/record/batch-header';
import { CompressionType, compress } from '../../../src/protocol/record/compression';
import { buildRecordBatch, buildRecordBatchSync, encodeRecords, type RecordInput } from '../../../src/protocol/record/records';
import { buildEndTxnMarker } from '../../../src/protocol/record/controlRecords';
import { FakeClock, leader, openLog, tmpDir } from './helpers';

let dir: string;
let log: Log;
const NOW = 1_700_000_000_000;
beforeEach(() => {
  dir = tmpDir();
});
afterEach(async () => {
  await log?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const recs = (n: number, over: Partial<RecordInput> = {}): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: BigInt(NOW + i), ...over }));

/** A batch whose record section is `section` as given (compressed with `codec`), header consistent and CRC valid. */
async function withSection(section: Buffer, count: number, codec = CompressionType.None): Promise<Buffer> {
  const template = buildRecordBatchSync({ records: recs(count) });
  const h = readBatchHeader(template);
  const payload = await compress(codec, section);
  const out = Buffer.alloc(RECORDS + payload.length);
  writeBatchHeader(out, { ...h, attributes: codec, batchLength: out.length - 12 }, 0);
  payload.copy(out, RECORDS);
  writeBatchCrc(out, 0);
  return out;
}

async function expectRefused(batch: Buffer, code: number, message: RegExp): Promise<void> {
  const leo = log.logEndOffset;
  await expect(log.append(batch, leader)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  expect(log.logEndOffset).toBe(leo);
}

describe('LogValidator on the leader', () => {
  it('accepts well-formed batches with every codec', async () => {
    log = openLog(dir, {}, { clock: new FakeClock(NOW) });
    for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      await log.append(await buildRecordBatch({ records: recs(5), compression }), leader);
    }
    expect(log.logEndOffset).toBe(25n);
  });

  it('compacted topics refuse a record without a key (INVALID_RECORD, Kafka\'s message); a null value (tombstone) with a key is fine', async () => {
    log = openLog(dir, { 'cleanup.policy': 'compact' });
    await expectRefused(buildRecordBatchSync({ records: [{ key: 'a', value: '1' }, { key: null, value: '2' }] }), LogErrorCode.INVALID_RECORD, /Compacted topic cannot accept message without key in topic partition topic-0\./);
    await expectRefused(await buildRecordBatch({ records: [{ key: null, value: 'x' }], compression: CompressionType.Zstd }), LogErrorCode.INVALID_RECORD, /without key/);
    await log.append(buildRecordBatchSync({ records: [{ key: 'a', value: null }, { key: '', value: 'empty key counts' }] }), leader);
    expect(log.logEndOffset).toBe(2n);
  });

  it('message.timestamp.difference.max.ms refuses CreateTime records too far from the broker clock (INVALID_TIMESTAMP)', async () => {
    log = openLog(dir, { 'message.timestamp.difference.max.ms': 60_000 }, { clock: new FakeClock(NOW) });
    await expectRefused(buildRecordBatchSync({ records: [{ value: 'old', timestamp: BigInt(NOW - 60_001) }] }), LogErrorCode.INVALID_TIMESTAMP, /Timestamp \d+ of message with offset 0 is out of range/);
    await expectRefused(buildRecordBatchSync({ records: [{ value: 'ok', timestamp: BigInt(NOW) }, { value: 'future', timestamp: BigInt(NOW + 61_000) }] }), LogErrorCode.INVALID_TIMESTAMP, /out of range/);
    await log.append(buildRecordBatchSync({ records: [{ value: 'edge', timestamp: BigInt(NOW - 60_000) }] }), leader);
    expect(log.logEndOffset).toBe(1n);
  });

  it('LogAppendTime topics skip the skew check; a producer never sets the LogAppendTime bit itself', async () => {
    log = openLog(dir, { 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.difference.max.ms': 1000 }, { clock: new FakeClock(NOW) });
    await log.append(buildRecordBatchSync({ records: [{ value: 'old', timestamp: 5n }] }), leader);
    await expectRefused(buildRecordBatchSync({ records: [{ value: 'x', timestamp: BigInt(NOW) }], logAppendTime: true }), LogErrorCode.INVALID_TIMESTAMP, /LogAppendTime/);
  });

  it('client batch rules: control batches, transactional batches, sequence without producer id rules, count vs offsets, one batch per request', async () => {
    log = openLog(dir);
    await expectRefused(buildRecordBatchSync({ records: recs(1), isControl: true }), LogErrorCode.INVALID_RECORD, /Clients are not allowed to write control records in topic partition topic-0\./);
    await expectRefused(buildRecordBatchSync({ records: recs(1), isTransactional: true }), LogErrorCode.INVALID_RECORD, /Transactional record batch without a producer id in topic partition topic-0\./);
    await expectRefused(buildRecordBatchSync({ records: recs(1), producerId: 7n, producerEpoch: 0, baseSequence: -1 }), LogErrorCode.INVALID_RECORD, /Invalid sequence number -1 in record batch with producerId 7/);
    await expectRefused(Buffer.concat([buildRecordBatchSync({ records: recs(1) }), buildRecordBatchSync({ records: recs(1) })]), LogErrorCode.INVALID_RECORD, /more than one batch/);
    expect(log.logEndOffset).toBe(0n);
    // A transactional batch of an idempotent producer is accepted (KIP-98).
    await log.append(buildRecordBatchSync({ records: recs(2), isTransactional: true, producerId: 7n, producerEpoch: 0, baseSequence: 0 }), leader);
    expect(log.logEndOffset).toBe(2n);
  });

  it('coordinator origin: an end transaction marker is accepted, a control batch of two records is refused', async () => {
    log = openLog(dir);
    const coordinator = { ...leader, origin: 'coordinator' as const };
    await log.append(buildRecordBatchSync({ records: recs(1), isTransactional: true, producerId: 7n, producerEpoch: 0, baseSequence: 0 }), leader);
    await log.append(buildEndTxnMarker({ producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, commit: true, timestamp: BigInt(NOW) }), coordinator);
    expect(log.logEndOffset).toBe(2n);
    const two = buildRecordBatchSync({ records: recs(2), isTransactional: true, isControl: true, producerId: 7n, producerEpoch: 0 });
    await expect(log.append(two, coordinator)).rejects.toMatchObject({ code: LogErrorCode.INVALID_RECORD, message: expect.stringMatching(/exactly one/) });
    expect(log.logEndOffset).toBe(2n);
  });

  it('record framing: a bad record length, trailing bytes, fewer records than declared, a key running past the end', async () => {
    log = openLog(dir);
    const good = encodeRecords(recs(3), BigInt(NOW), recs(3).map((r) => r.timestamp as bigint));
    // Three records, declared as four: the walk runs out of bytes.
    await expectRefused(await withSection(good, 4), LogErrorCode.INVALID_RECORD, /record 3/);
    // Declared as two: bytes remain after the last record.
    await expectRefused(await withSection(good, 2), LogErrorCode.INVALID_RECORD, /records still remaining/);
    // First record's length varint doubled: it claims bytes that belong to the next record.
    const longer = Buffer.from(good);
    longer[0] = longer[0]! + 2;
    await expectRefused(await withSection(longer, 3), LogErrorCode.INVALID_RECORD, /Invalid record size|invalid record structure/);
    // A key length pointing past the record.
    const hugeKey = Buffer.from(good);
    hugeKey[4] = 0x7e; // key length varint (zig-zag 63)
    await expectRefused(await withSection(hugeKey, 3), LogErrorCode.INVALID_RECORD, /invalid record structure|Invalid record size/);
    expect(log.logEndOffset).toBe(0n);
  });

  it('compressed batches: a payload that does not decompress is CORRUPT_MESSAGE; broken records inside are INVALID_RECORD', async () => {
    log = openLog(dir);
    const garbage = await withSection(Buffer.alloc(0), 1, CompressionType.None);
    // Mark it gzip while the section is not gzip data.
    const gz = Buffer.concat([garbage, Buffer.from('not gzip at all')]);
    gz.writeInt32BE(gz.length - 12, 8);
    gz.writeInt16BE(CompressionType.Gzip, 21);
    writeBatchCrc(gz, 0);
    await expectRefused(gz, LogErrorCode.CORRUPT_MESSAGE, /do not decompress/);
    const good = encodeRecords(recs(3), BigInt(NOW), recs(3).map((r) => r.timestamp as bigint));
    await expectRefused(await withSection(good.subarray(0, good.length - 2), 3, CompressionType.Lz4), LogErrorCode.INVALID_RECORD, /record 2|invalid record structure|Invalid record size/);
  });

  it('compressed batches must number their records 0, 1, 2, …', async () => {
    log = openLog(dir);
    const rs = recs(3);
    const section = encodeRecords(rs, BigInt(NOW), rs.map((r) => r.timestamp as bigint));
    // Record 1's offset delta: after its length varint (1 byte), attributes (1), timestamp delta varlong (1 byte).
    const first = section[0]! >> 1;
    const second = 1 + first;
    const bad = Buffer.from(section);
    bad[second + 3] = 4; // zig-zag 2 instead of 1
    await expectRefused(await withSection(bad, 3, CompressionType.Snappy), LogErrorCode.INVALID_RECORD, /does not have incremental offsets, expected offset delta is 1, received offset delta is 2/);
    await log.append(await withSection(section, 3, CompressionType.Snappy), leader);
    expect(log.logEndOffset).toBe(3n);
  });

  it('a follower copies the leader\'s batches without record validation (the leader already did it)', async () => {
    log = openLog(dir, { 'cleanup.policy': 'compact' });
    const batch = buildRecordBatchSync({ records: [{ key: null, value: 'written before the topic became compacted' }], partitionLeaderEpoch: 0 });
    await log.append(batch, { assignOffsets: false, leaderEpoch: -1 });
    expect(log.logEndOffset).toBe(1n);
  });
});
