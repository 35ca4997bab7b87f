// ListOffsets by timestamp at the log level: Kafka answers the first record (not batch) whose timestamp reaches the
// target, with that record's offset and timestamp, for every codec, LogAppendTime, and past the log start offset.
import * as fs from 'fs';
import { writeBatchCrc, ATTRIBUTES } from '../../../src/protocol/record/batch-header';
import { CompressionType } from '../../../src/protocol/record/compression';
import { batchRecordTimestamps, buildRecordBatch, buildRecordBatchSync } from '../../../src/protocol/record/records';
import { LogErrorCode } from '../../../src/log/errors';
import { Log, type LoadOptions } from '../../../src/log/Log';
import type { LogConfig } from '../../../src/log/LogConfig';
import { FakeClock, leader, openLog, tmpDir } from './helpers';

const BASE = 1_700_000_000_000n;
const SEC = 1000n;

/** The log under test; each test opens one in its own directory, removed afterwards. */
let log!: Log;
const dirs: string[] = [];
function fresh(cfg: Partial<LogConfig> = {}, extra: Partial<LoadOptions> = {}): void {
  const dir = tmpDir();
  dirs.push(dir);
  log = openLog(dir, cfg, extra);
}
afterEach(async () => {
  await log.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** One batch of records with the given timestamps (values sized to make batches and segments roll). */
function batchAt(timestamps: bigint[], compression = CompressionType.None, valueSize = 20): Promise<Buffer> {
  return buildRecordBatch({ compression, records: timestamps.map((timestamp, i) => ({ key: `k${i}`, value: Buffer.alloc(valueSize, i % 251), timestamp })) });
}

const hundred = Array.from({ length: 100 }, (_, i) => BASE + BigInt(i) * SEC);

async function lookup(ts: bigint): Promise<[bigint, bigint] | null> {
  const r = await log.fetchOffsetByTimestamp(ts);
  return r ? [r.offset, r.timestamp] : null;
}

describe.each([
  ['uncompressed', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
])('one batch of 100 records, %s', (_name, codec) => {
  beforeEach(async () => {
    fresh();
    await log.append(await batchAt(hundred, codec), leader);
  });

  it('answers the record whose timestamp is the target, with its own timestamp', async () => {
    expect(await lookup(BASE + 50n * SEC)).toEqual([50n, BASE + 50n * SEC]);
  });

  it('answers the next record for a target between two records', async () => {
    expect(await lookup(BASE + 50n * SEC + 1n)).toEqual([51n, BASE + 51n * SEC]);
  });

  it('answers the first record for a target before every record, and nothing above every record', async () => {
    expect(await lookup(BASE - 10n * SEC)).toEqual([0n, BASE]);
    expect(await lookup(BASE + 99n * SEC)).toEqual([99n, BASE + 99n * SEC]);
    expect(await lookup(BASE + 99n * SEC + 1n)).toBeNull();
  });
});

describe('record-level lookup', () => {
  it('answers the first of equal timestamps', async () => {
    fresh();
    await log.append(await batchAt([BASE, BASE + SEC, BASE + SEC, BASE + SEC, BASE + 2n * SEC]), leader);
    expect(await lookup(BASE + 1n)).toEqual([1n, BASE + SEC]);
    expect(await lookup(BASE + SEC)).toEqual([1n, BASE + SEC]);
  });

  it('answers the first record in offset order that reaches the target when timestamps go backwards in a batch', async () => {
    fresh();
    await log.append(await batchAt([BASE - 5n * SEC, BASE - 9n * SEC]), leader); // max below every target here
    await log.append(await batchAt([BASE + 1n * SEC, BASE + 5n * SEC, BASE + 2n * SEC, BASE + 3n * SEC, BASE + 6n * SEC]), leader);
    // offset 3 (BASE+5s) comes before offset 5 (BASE+3s), so it wins for BASE+2.5s although BASE+3s is closer
    expect(await lookup(BASE + 2500n)).toEqual([3n, BASE + 5n * SEC]);
    expect(await lookup(BASE + 2n * SEC)).toEqual([3n, BASE + 5n * SEC]);
    expect(await lookup(BASE + 5500n)).toEqual([6n, BASE + 6n * SEC]);
    expect(await lookup(BASE - 7n * SEC)).toEqual([0n, BASE - 5n * SEC]);
  });

  it('searches many batches and segments, using the indexes, and agrees with a scan of every record', async () => {
    fresh({ 'segment.bytes': 4000, 'index.interval.bytes': 300, 'retention.ms': -1 });
    const all: bigint[] = [];
    for (let b = 0; b < 60; b++) {
      const ts = Array.from({ length: 7 }, (_, i) => BASE + BigInt(b * 70 + ((i * 3) % 7) * 10));
      all.push(...ts);
      await log.append(await batchAt(ts, b % 2 === 0 ? CompressionType.None : CompressionType.Lz4), leader);
    }
    expect(log.numberOfSegments).toBeGreaterThan(3);
    for (let target = BASE - 5n; target <= BASE + 60n * 70n + 5n; target += 7n) {
      const i = all.findIndex((t) => t >= target);
      expect(await lookup(target)).toEqual(i < 0 ? null : [BigInt(i), all[i]]);
    }
  });

  it('gives every record of a LogAppendTime batch the broker time', async () => {
    const clock = new FakeClock(Number(BASE));
    fresh({ 'message.timestamp.type': 'LogAppendTime' }, { clock });
    await log.append(await batchAt([5n, 6n, 7n]), leader);
    clock.advance(10_000);
    await log.append(await batchAt([1n, 2n], CompressionType.Gzip), leader);
    expect(await lookup(6n)).toEqual([0n, BASE]);
    expect(await lookup(BASE)).toEqual([0n, BASE]);
    expect(await lookup(BASE + 1n)).toEqual([3n, BASE + 10_000n]);
    expect(await lookup(BASE + 10_001n)).toBeNull();
  });

  it('answers the leader epoch of the batch holding the record', async () => {
    fresh();
    await log.append(await batchAt([BASE, BASE + SEC]), { assignOffsets: true, leaderEpoch: 3 });
    await log.append(await batchAt([BASE + 2n * SEC]), { assignOffsets: true, leaderEpoch: 7 });
    expect((await log.fetchOffsetByTimestamp(BASE + SEC))?.leaderEpoch).toBe(3);
    expect((await log.fetchOffsetByTimestamp(BASE + 2n * SEC))?.leaderEpoch).toBe(7);
  });

  it('keeps -1 (latest) and -2 (earliest) as before', async () => {
    fresh();
    await log.append(await batchAt(hundred), leader);
    expect(await log.fetchOffsetByTimestamp(-1n)).toEqual({ offset: 100n, timestamp: -1n, leaderEpoch: 0 });
    expect(await log.fetchOffsetByTimestamp(-2n)).toEqual({ offset: 0n, timestamp: -1n, leaderEpoch: 0 });
  });
});

describe('log start offset', () => {
  it('answers the first record at or after the log start with its own timestamp', async () => {
    fresh();
    await log.append(await batchAt(hundred), leader);
    log.updateHighWatermark(100n);
    await log.deleteRecordsBefore(40n);
    expect(await lookup(BASE)).toEqual([40n, BASE + 40n * SEC]);
    expect(await lookup(BASE + 39n * SEC)).toEqual([40n, BASE + 40n * SEC]);
    expect(await lookup(BASE + 60n * SEC)).toEqual([60n, BASE + 60n * SEC]);
  });

  it.each([
    ['batch', {}],
    // Kafka 2.8 answers nothing here: it searches only the first segment whose max timestamp reaches the target.
    ['segment', { 'segment.bytes': 200 }],
  ])('moves past a %s whose reaching records are all below the log start', async (_what, cfg) => {
    fresh({ 'retention.ms': -1, ...cfg });
    // offsets 0-1 reach the target but are deleted, 2-3 are kept but do not reach it; the answer is offset 4
    await log.append(await batchAt([BASE + 9n * SEC, BASE + 9n * SEC, BASE, BASE]), leader);
    await log.append(await batchAt([BASE + 8n * SEC, BASE + 10n * SEC]), leader);
    expect(log.numberOfSegments).toBe('segment.bytes' in cfg ? 2 : 1);
    log.updateHighWatermark(6n);
    await log.deleteRecordsBefore(2n);
    expect(await lookup(BASE + 5n * SEC)).toEqual([4n, BASE + 8n * SEC]);
  });
});

describe('MAX_TIMESTAMP (-3, ListOffsets v7, KIP-734)', () => {
  const max = async (): Promise<[bigint, bigint, number] | null> => {
    const r = await log.fetchOffsetByTimestamp(-3n);
    return r ? [r.offset, r.timestamp, r.leaderEpoch] : null;
  };

  it('answers the record with the largest timestamp, not the last of its batch, with the batch leader epoch', async () => {
    fresh();
    await log.append(await batchAt([BASE, BASE + 5n * SEC, BASE + SEC]), { assignOffsets: true, leaderEpoch: 2 });
    await log.append(await batchAt([BASE + 2n * SEC, BASE + 3n * SEC]), { assignOffsets: true, leaderEpoch: 4 });
    expect(await max()).toEqual([1n, BASE + 5n * SEC, 2]);
  });

  it('answers the first of equal largest timestamps, across batches and segments (Kafka 3.8: first segment, first record)', async () => {
    fresh({ 'segment.bytes': 200, 'retention.ms': -1 });
    await log.append(await batchAt([BASE, BASE + 7n * SEC]), leader);
    await log.append(await batchAt([BASE + 7n * SEC, BASE + 7n * SEC]), leader);
    await log.append(await batchAt([BASE + 3n * SEC]), leader);
    expect(log.numberOfSegments).toBeGreaterThan(1);
    expect(await max()).toEqual([1n, BASE + 7n * SEC, 0]);
  });

  it('gives LogAppendTime batches their broker time: the first record of the latest batch', async () => {
    const clock = new FakeClock(Number(BASE));
    fresh({ 'message.timestamp.type': 'LogAppendTime' }, { clock });
    await log.append(await batchAt([9n, 8n]), leader);
    clock.advance(1000);
    await log.append(await batchAt([1n, 2n, 3n]), leader);
    expect(await max()).toEqual([2n, BASE + 1000n, 0]);
  });

  it('answers nothing on an empty log, and nothing from deleted records', async () => {
    fresh({ 'segment.bytes': 200, 'retention.ms': -1 });
    expect(await max()).toBeNull();
    await log.append(await batchAt([BASE + 9n * SEC, BASE + 9n * SEC, BASE, BASE]), leader);
    await log.append(await batchAt([BASE + 4n * SEC, BASE + 5n * SEC]), leader);
    expect(log.numberOfSegments).toBe(2);
    log.updateHighWatermark(6n);
    await log.deleteRecordsBefore(4n);
    expect(log.numberOfSegments).toBe(1);
    expect(await max()).toEqual([5n, BASE + 5n * SEC, 0]);
  });
});

describe('unreadable records', () => {
  it('a batch whose compressed records cannot be read answers CORRUPT_MESSAGE and leaves the log online', async () => {
    fresh();
    const bad = buildRecordBatchSync({ records: [{ value: 'not gzip at all', timestamp: BASE }] });
    bad.writeInt16BE(CompressionType.Gzip, ATTRIBUTES);
    writeBatchCrc(bad, 0);
    // A leader refuses such a batch (LogValidator); a follower copies what its leader (an older broker) holds.
    await log.append(bad, { assignOffsets: false, leaderEpoch: -1 });
    await expect(log.fetchOffsetByTimestamp(BASE)).rejects.toMatchObject({ code: LogErrorCode.CORRUPT_MESSAGE });
    expect(log.isOffline).toBe(false);
    expect((await log.read(0n, 1 << 20)).records.length).toBe(bad.length);
  });
});

describe('batchRecordTimestamps', () => {
  it('yields offset and timestamp of each record without decoding keys and values', async () => {
    const b = await buildRecordBatch({ baseOffset: 10n, compression: CompressionType.Zstd, records: [{ value: 'a', timestamp: 7n }, { key: 'k', value: null, timestamp: 3n, headers: [{ key: 'h', value: Buffer.from('v') }] }] });
    expect([...(await batchRecordTimestamps(b))]).toEqual([{ offset: 10n, timestamp: 7n }, { offset: 11n, timestamp: 3n }]);
  });
});
