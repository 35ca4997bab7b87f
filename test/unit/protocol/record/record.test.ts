// Record batches: CRC-32C, header read/write/patch, records, codecs, and interop with kafkajs's own encoder/decoder.
import {
  BATCH_HEADER_SIZE,
  CURRENT_MAGIC,
  checkBatch,
  iterateBatches,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  writeBatchCrc,
  isLogAppendTime,
  computeBatchCrc,
} from '../../../../src/protocol/record/batch-header';
import { crc32c } from '../../../../src/protocol/record/crc32c';
import { CompressionType, compress, compressSync, decompress, decompressSync, isXerialFramed } from '../../../../src/protocol/record/compression';
import {
  buildRecordBatch,
  buildRecordBatchSync,
  decodeBatchRecords,
  decodeBatchRecordsSync,
  decodeVarint,
  decodeVarlong,
  encodeVarint,
  encodeVarlong,
} from '../../../../src/protocol/record/records';
import * as snappy from 'snappy';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { RecordBatch: KjsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const KjsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const KjsDecoder = require('kafkajs/src/protocol/decoder');

describe('crc32c', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
  it('can continue from a previous value', () => {
    const b = Buffer.from('hello, world');
    expect(crc32c(b.subarray(6), crc32c(b.subarray(0, 6)))).toBe(crc32c(b));
  });
});

describe('varints', () => {
  it.each([0, 1, -1, 63, -64, 64, 300, -300, 2147483647, -2147483648])('round-trips varint %d', (v) => {
    expect(decodeVarint(encodeVarint(v)).value).toBe(v);
  });
  it.each([0n, -1n, 1n << 40n, -(1n << 62n), 9223372036854775807n, -9223372036854775808n])('round-trips varlong %s', (v) => {
    expect(decodeVarlong(encodeVarlong(v)).value).toBe(v);
  });
  it('uses zig-zag encoding', () => {
    expect([...encodeVarint(-1)]).toEqual([1]);
    expect([...encodeVarint(1)]).toEqual([2]);
    expect([...encodeVarint(64)]).toEqual([0x80, 0x01]);
  });
});

describe('batch header', () => {
  const records = [
    { key: 'k1', value: 'v1', timestamp: 1000n, headers: [{ key: 'h', value: Buffer.from('x') }] },
    { key: null, value: 'v2', timestamp: 1005n },
    { value: null, timestamp: 999n },
  ];

  it('builds a valid signed batch and reads its header', () => {
    const b = buildRecordBatchSync({ baseOffset: 42n, records, producerId: 7n, producerEpoch: 1, baseSequence: 5, partitionLeaderEpoch: 3, isTransactional: true });
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    const h = readBatchHeader(b);
    expect(h).toMatchObject({ baseOffset: 42n, batchLength: b.length - 12, partitionLeaderEpoch: 3, magic: CURRENT_MAGIC, lastOffsetDelta: 2, baseTimestamp: 1000n, maxTimestamp: 1005n, producerId: 7n, producerEpoch: 1, baseSequence: 5, recordCount: 3 });
    expect(h.attributes & 0x10).toBe(0x10);
  });

  it('decodes the records it built', () => {
    const b = buildRecordBatchSync({ baseOffset: 10n, records });
    const out = decodeBatchRecordsSync(b);
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [10n, 1000n, 'k1', 'v1'],
      [11n, 1005n, null, 'v2'],
      [12n, 999n, null, null],
    ]);
    expect(out[0]?.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
  });

  it('patches base offset and leader epoch without breaking the CRC', () => {
    const b = buildRecordBatchSync({ records });
    setBaseOffset(b, 0, 123456789012n);
    setPartitionLeaderEpoch(b, 0, 9);
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    expect(readBatchHeader(b)).toMatchObject({ baseOffset: 123456789012n, partitionLeaderEpoch: 9 });
  });

  it('LogAppendTime rewrite sets the attribute, the max timestamp and re-signs', () => {
    const b = buildRecordBatchSync({ records });
    setLogAppendTime(b, 0, 5555n);
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    const h = readBatchHeader(b);
    expect(isLogAppendTime(h.attributes)).toBe(true);
    expect(h.maxTimestamp).toBe(5555n);
    expect(decodeBatchRecordsSync(b).every((r) => r.timestamp === 5555n)).toBe(true);
  });

  it('detects a flipped bit, bad magic, short buffers and bad lengths', () => {
    const b = buildRecordBatchSync({ records });
    const flipped = Buffer.from(b);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
    expect(checkBatch(flipped, 0, flipped.length)).toMatchObject({ kind: 'corrupt' });
    const magic1 = Buffer.from(b);
    magic1[16] = 1;
    expect(checkBatch(magic1, 0, magic1.length)).toMatchObject({ kind: 'old-magic' });
    const magic7 = Buffer.from(b);
    magic7[16] = 7;
    expect(checkBatch(magic7, 0, magic7.length)).toMatchObject({ kind: 'corrupt' });
    expect(checkBatch(b, 0, b.length - 1)).toMatchObject({ kind: 'truncated' });
    expect(checkBatch(b, 0, 10)).toMatchObject({ kind: 'truncated' });
    const tiny = Buffer.from(b);
    tiny.writeInt32BE(10, 8);
    expect(checkBatch(tiny, 0, tiny.length)).toMatchObject({ kind: 'corrupt' });
  });

  it('iterates concatenated batches and stops at a partial one', () => {
    const a = buildRecordBatchSync({ baseOffset: 0n, records: [{ value: 'a' }] });
    const c = buildRecordBatchSync({ baseOffset: 1n, records: [{ value: 'b' }, { value: 'c' }] });
    const all = Buffer.concat([a, c, c.subarray(0, 30)]);
    const seen = [...iterateBatches(all)].map((v) => [v.position, v.size, v.header.baseOffset]);
    expect(seen).toEqual([
      [0, a.length, 0n],
      [a.length, c.length, 1n],
    ]);
    expect(BATCH_HEADER_SIZE).toBe(61);
  });
});

describe('compression', () => {
  const payload = Buffer.from('kafka '.repeat(20000));
  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])('codec %d round-trips and shrinks', async (t) => {
    const c = await compress(t, payload);
    expect(c.length).toBeLessThan(payload.length / 5);
    expect((await decompress(t, c)).equals(payload)).toBe(true);
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4])('codec %d: the async path (thread pool, large inputs) and the sync path read each other', async (t) => {
    const big = Buffer.from(Array.from({ length: 40000 }, (_, i) => `r${i % 977};`).join(''));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const viaAsync = await compress(t, big);
    expect(decompressSync(t, viaAsync).equals(big)).toBe(true);
    expect((await decompress(t, compressSync(t, big))).equals(big)).toBe(true);
    // A framed snappy input of several blocks is decoded block by block off the event loop.
    if (t === CompressionType.Snappy) expect(isXerialFramed(viaAsync)).toBe(true);
  });

  it('snappy writes xerial framing and reads both xerial and raw', async () => {
    const framed = await compress(CompressionType.Snappy, payload);
    expect(isXerialFramed(framed)).toBe(true);
    const raw = snappy.compressSync(payload);
    expect(isXerialFramed(raw)).toBe(false);
    expect((await decompress(CompressionType.Snappy, raw)).equals(payload)).toBe(true);
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])('builds and decodes compressed batches with codec %d', async (t) => {
    const recs = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value-${i}`.repeat(10), timestamp: 1000n + BigInt(i) }));
    const b = await buildRecordBatch({ baseOffset: 100n, records: recs, compression: t });
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    expect(readBatchHeader(b).attributes & 7).toBe(t);
    const out = await decodeBatchRecords(b);
    expect(out.map((r) => r.value?.toString())).toEqual(recs.map((r) => r.value));
    expect(out[49]?.offset).toBe(149n);
  });
});

describe('interop with kafkajs', () => {
  it('validates and decodes a batch encoded by kafkajs', async () => {
    const ts = 1700000000000;
    const recs = [0, 1, 2].map((i) => KjsRecord({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: { a: 'b' } }));
    const enc = await KjsRecordBatch({ firstOffset: '0', firstTimestamp: ts, maxTimestamp: ts + 2, lastOffsetDelta: 2, records: recs, partitionLeaderEpoch: 0 });
    const b: Buffer = enc.buffer;
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    const h = readBatchHeader(b);
    expect(h.recordCount).toBe(3);
    const out = decodeBatchRecordsSync(b);
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString(), r.value?.toString(), r.headers[0]?.key])).toEqual([
      [0n, BigInt(ts), 'k0', 'v0', 'a'],
      [1n, BigInt(ts + 1), 'k1', 'v1', 'a'],
      [2n, BigInt(ts + 2), 'k2', 'v2', 'a'],
    ]);
  });

  it('kafkajs decodes a batch we built (after patching the offset and re-signing nothing)', async () => {
    const b = buildRecordBatchSync({ records: [{ key: 'x', value: 'y', timestamp: 5n }, { key: 'z', value: 'w', timestamp: 6n }] });
    setBaseOffset(b, 0, 77n);
    expect(computeBatchCrc(b, 0, b.length)).toBe(b.readUInt32BE(17));
    const decoded = await KjsBatchDecoder(new KjsDecoder(b));
    expect(decoded.records.map((r: { offset: string; key: Buffer; value: Buffer }) => [r.offset, r.key.toString(), r.value.toString()])).toEqual([
      ['77', 'x', 'y'],
      ['78', 'z', 'w'],
    ]);
  });

  it('writeBatchCrc re-signs after a header edit', () => {
    const b = buildRecordBatchSync({ records: [{ value: 'a' }] });
    b.writeInt16BE(0x10, 21);
    expect(checkBatch(b, 0, b.length)).toMatchObject({ kind: 'corrupt' });
    writeBatchCrc(b);
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
  });
});
