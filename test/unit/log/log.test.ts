// Log: append/read across rolls, validation, LogAppendTime, truncation, log start offset, retention, epochs, flush.
import * as fs from 'fs';
import * as path from 'path';
import { iterateBatches, readBatchHeader, isLogAppendTime, checkBatch, writeBatchCrc } from '../../../src/protocol/record/batch-header';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { LogErrorCode } from '../../../src/log/errors';
import { Log } from '../../../src/log/Log';
import { FakeClock, batch, leader, openLog, tmpDir, waitFor } from './helpers';

let dir: string;
let log: Log;
beforeEach(() => {
  dir = tmpDir();
});
afterEach(async () => {
  await log?.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function readAll(l: Log, from = l.logStartOffset): Promise<{ base: bigint; last: bigint }[]> {
  const out: { base: bigint; last: bigint }[] = [];
  let next = from;
  while (next < l.logEndOffset) {
    const r = await l.read(next, 4096);
    if (r.records.length === 0) break;
    for (const v of iterateBatches(r.records)) out.push({ base: v.header.baseOffset, last: v.header.baseOffset + BigInt(v.header.lastOffsetDelta) });
    next = r.nextOffset;
  }
  return out;
}

describe('append and read', () => {
  it('assigns offsets, rolls by segment.bytes and reads every batch back across segments', async () => {
    log = openLog(dir, { 'segment.bytes': 2000, 'index.interval.bytes': 100 });
    const sizes: number[] = [];
    for (let i = 0; i < 60; i++) {
      const n = 1 + (i % 4);
      const info = await log.append(batch(n, 20, 1000n + BigInt(i), i), { assignOffsets: true, leaderEpoch: 5 });
      sizes.push(n);
      const expectedFirst = BigInt(sizes.slice(0, -1).reduce((a, b) => a + b, 0));
      expect(info.firstOffset).toBe(expectedFirst);
      expect(info.lastOffset).toBe(expectedFirst + BigInt(n) - 1n);
      expect(info.logAppendTime).toBe(-1n);
    }
    const total = BigInt(sizes.reduce((a, b) => a + b, 0));
    expect(log.logEndOffset).toBe(total);
    expect(log.numberOfSegments).toBeGreaterThan(3);
    const bases = log.segmentBaseOffsets();
    for (const f of bases) expect(fs.existsSync(path.join(log.dir, `${f.toString().padStart(20, '0')}.log`))).toBe(true);
    const all = await readAll(log);
    expect(all.length).toBe(60);
    expect(all[0]?.base).toBe(0n);
    for (let i = 1; i < all.length; i++) expect(all[i]?.base).toBe((all[i - 1]?.last as bigint) + 1n);
    // Reading from any offset returns first the batch containing it, stamped with the leader epoch.
    for (let o = 0n; o < total; o += 7n) {
      const r = await log.read(o, 1);
      const h = readBatchHeader(r.records);
      expect(h.baseOffset <= o && o <= h.baseOffset + BigInt(h.lastOffsetDelta)).toBe(true);
      expect(h.partitionLeaderEpoch).toBe(5);
      expect(checkBatch(r.records, 0, r.records.length)).toBe(r.records.length);
    }
  });

  it('reads whole batches within maxBytes, one oversized batch with minOneBatch, and respects maxOffset', async () => {
    log = openLog(dir);
    const small = batch(1, 10);
    await log.append(Buffer.from(small), leader);
    await log.append(batch(1, 5000), leader);
    await log.append(Buffer.from(small), leader);
    const r1 = await log.read(0n, small.length + 10);
    expect(r1.records.length).toBe(small.length);
    expect(r1.nextOffset).toBe(1n);
    const r2 = await log.read(1n, 100);
    expect([...iterateBatches(r2.records)].length).toBe(1);
    expect(r2.records.length).toBeGreaterThan(5000);
    const r3 = await log.read(1n, 100, { minOneBatch: false });
    expect(r3.records.length).toBe(0);
    const r4 = await log.read(0n, 1 << 20, { maxOffset: 2n });
    expect([...iterateBatches(r4.records)].map((b) => b.header.baseOffset)).toEqual([0n, 1n]);
    const r5 = await log.read(3n, 100);
    expect(r5.records.length).toBe(0);
    await expect(log.read(4n, 100)).rejects.toMatchObject({ code: LogErrorCode.OFFSET_OUT_OF_RANGE });
  });

  it('a read spanning segments is contiguous whatever maxBytes cuts it', async () => {
    log = openLog(dir, { 'segment.bytes': 1500 });
    for (let i = 0; i < 80; i++) await log.append(batch(1 + (i % 3), 30, 1000n, i), leader);
    for (const maxBytes of [300, 1000, 1700, 4000, 1 << 20]) {
      let next = 0n;
      while (next < log.logEndOffset) {
        const r = await log.read(next, maxBytes);
        for (const b of iterateBatches(r.records)) {
          expect(b.header.baseOffset).toBe(next);
          next = b.header.baseOffset + BigInt(b.header.lastOffsetDelta) + 1n;
        }
        expect(r.nextOffset).toBe(next);
      }
    }
  });

  it('coalesces concurrent appends and keeps their order', async () => {
    log = openLog(dir);
    const infos = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(batch(1, 10, 1000n, i), leader)));
    expect(infos.map((i) => i.firstOffset)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)));
    const all = await readAll(log);
    expect(all.map((b) => b.base)).toEqual(infos.map((i) => i.firstOffset));
  });
});

describe('validation', () => {
  it('refuses a corrupt batch with CORRUPT_MESSAGE and writes nothing, even when other batches are fine', async () => {
    log = openLog(dir);
    await log.append(batch(2), leader);
    const sizeBefore = log.size;
    const bad = batch(3);
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
    await expect(log.append(Buffer.concat([batch(1), bad]), leader)).rejects.toMatchObject({ code: LogErrorCode.CORRUPT_MESSAGE });
    await expect(log.append(batch(1).subarray(0, 40), leader)).rejects.toMatchObject({ code: LogErrorCode.CORRUPT_MESSAGE });
    await expect(log.append(Buffer.concat([batch(1), Buffer.alloc(5)]), leader)).rejects.toMatchObject({ code: LogErrorCode.CORRUPT_MESSAGE });
    expect(log.logEndOffset).toBe(2n);
    expect(log.size).toBe(sizeBefore);
    expect(fs.statSync(path.join(log.dir, '00000000000000000000.log')).size).toBe(sizeBefore);
  });

  it('maps size, magic and count problems to Kafka error codes', async () => {
    log = openLog(dir, { 'max.message.bytes': 500 });
    await expect(log.append(batch(1, 1000), leader)).rejects.toMatchObject({ code: LogErrorCode.MESSAGE_TOO_LARGE });
    const old = batch(1);
    old[16] = 1;
    await expect(log.append(old, leader)).rejects.toMatchObject({ code: LogErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT });
    const badCount = batch(2);
    badCount.writeInt32BE(5, 57); // outside the CRC? no: recordCount is covered, so re-sign
    const { writeBatchCrc } = await import('../../../src/protocol/record/batch-header');
    writeBatchCrc(badCount);
    await expect(log.append(badCount, leader)).rejects.toMatchObject({ code: LogErrorCode.INVALID_RECORD });
    expect(log.logEndOffset).toBe(0n);
  });
});

describe('LogAppendTime', () => {
  it('stamps the broker time into maxTimestamp and the attributes, keeping the CRC valid', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    log = openLog(dir, { 'message.timestamp.type': 'LogAppendTime' }, { clock });
    const info = await log.append(batch(3, 10, 5n), leader);
    expect(info.logAppendTime).toBe(1_700_000_000_000n);
    expect(info.maxTimestamp).toBe(1_700_000_000_000n);
    const r = await log.read(0n, 1 << 20);
    const h = readBatchHeader(r.records);
    expect(isLogAppendTime(h.attributes)).toBe(true);
    expect(h.maxTimestamp).toBe(1_700_000_000_000n);
    expect(checkBatch(r.records, 0, r.records.length)).toBe(r.records.length);
  });
});

describe('follower appends and leader epochs', () => {
  it('keeps offsets, learns epochs from batches and refuses non-increasing offsets', async () => {
    log = openLog(dir);
    const b1 = buildRecordBatchSync({ baseOffset: 0n, partitionLeaderEpoch: 1, records: [{ value: 'a' }, { value: 'b' }] });
    const b2 = buildRecordBatchSync({ baseOffset: 2n, partitionLeaderEpoch: 3, records: [{ value: 'c' }] });
    const info = await log.append(Buffer.concat([b1, b2]), { assignOffsets: false, leaderEpoch: -1 });
    expect([info.firstOffset, info.lastOffset]).toEqual([0n, 2n]);
    expect(log.leaderEpochCache.all()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 3, startOffset: 2n },
    ]);
    await expect(log.append(buildRecordBatchSync({ baseOffset: 1n, records: [{ value: 'x' }] }), { assignOffsets: false, leaderEpoch: -1 })).rejects.toThrow(/out of order/);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2n });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2n });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 3n });
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0n });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: -1, endOffset: -1n });
    expect(log.endOffsetForEpoch(-1)).toEqual({ epoch: -1, endOffset: -1n });
    await log.close();
    const text = fs.readFileSync(path.join(log.dir, 'leader-epoch-checkpoint'), 'utf8');
    expect(text).toBe('0\n2\n1 0\n3 2\n');
  });
});

describe('truncation and log start offset', () => {
  it('truncateTo removes whole batches across segments, trims the epoch cache, and appends continue', async () => {
    log = openLog(dir, { 'segment.bytes': 600 });
    for (let e = 0; e < 3; e++) for (let i = 0; i < 10; i++) await log.append(batch(2, 10), { assignOffsets: true, leaderEpoch: e });
    expect(log.logEndOffset).toBe(60n);
    const segsBefore = log.numberOfSegments;
    log.updateHighWatermark(50n);
    expect(await log.truncateTo(25n)).toBe(true);
    expect(log.logEndOffset).toBe(24n); // offset 25 is inside batch 24..25, which goes whole
    expect(log.highWatermark).toBe(24n);
    expect(log.numberOfSegments).toBeLessThan(segsBefore);
    expect(log.leaderEpochCache.all().map((e) => e.epoch)).toEqual([0, 1]);
    const all = await readAll(log);
    expect(all[all.length - 1]?.last).toBe(23n);
    const info = await log.append(batch(1), { assignOffsets: true, leaderEpoch: 4 });
    expect(info.firstOffset).toBe(24n);
    expect(await log.truncateTo(100n)).toBe(false);
  });

  it('truncateFullyAndStartAt empties the log at a new offset', async () => {
    log = openLog(dir, { 'segment.bytes': 600 });
    for (let i = 0; i < 20; i++) await log.append(batch(2), leader);
    await log.truncateFullyAndStartAt(1000n);
    expect([log.logStartOffset, log.logEndOffset, log.numberOfSegments]).toEqual([1000n, 1000n, 1]);
    expect((await log.append(batch(1), leader)).firstOffset).toBe(1000n);
    await expect(log.read(5n, 100)).rejects.toMatchObject({ code: LogErrorCode.OFFSET_OUT_OF_RANGE });
  });

  it('deleteRecordsBefore moves the log start offset (bounded by HW) and drops covered segments', async () => {
    log = openLog(dir, { 'segment.bytes': 600, 'retention.ms': -1 });
    for (let i = 0; i < 30; i++) await log.append(batch(1), leader);
    await expect(log.deleteRecordsBefore(10n)).rejects.toMatchObject({ code: LogErrorCode.OFFSET_OUT_OF_RANGE });
    log.updateHighWatermark(30n);
    const segs = log.numberOfSegments;
    expect(await log.deleteRecordsBefore(17n)).toBe(17n);
    expect(log.logStartOffset).toBe(17n);
    expect(log.numberOfSegments).toBeLessThan(segs);
    await expect(log.read(16n, 100)).rejects.toMatchObject({ code: LogErrorCode.OFFSET_OUT_OF_RANGE });
    expect(readBatchHeader((await log.read(17n, 100)).records).baseOffset).toBe(17n);
    expect((await log.fetchOffsetByTimestamp(-2n))?.offset).toBe(17n);
    expect((await log.fetchOffsetByTimestamp(-1n))?.offset).toBe(30n);
  });
});

describe('follower appends larger than a segment', () => {
  it('a fetch bringing more than segment.bytes of batches is appended in segment-sized runs (followers of small-segment topics catch up)', async () => {
    log = openLog(dir, { 'segment.bytes': 3000 });
    const batches: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      const b = batch(2, 400, 1000n + BigInt(i), i);
      b.writeBigInt64BE(BigInt(i * 2), 0);
      b.writeInt32BE(0, 12); // leader epoch 0
      writeBatchCrc(b, 0);
      batches.push(b);
    }
    const all = Buffer.concat(batches);
    expect(all.length).toBeGreaterThan(3000);
    const info = await log.append(all, { assignOffsets: false, leaderEpoch: -1 });
    expect([info.firstOffset, info.lastOffset, info.numMessages]).toEqual([0n, 19n, 20]);
    expect(log.logEndOffset).toBe(20n);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const read = await log.read(0n, 1 << 20);
    expect(read.records.equals(all)).toBe(true);
  });

  it('a leader still refuses a record set larger than segment.bytes (RECORD_LIST_TOO_LARGE)', async () => {
    log = openLog(dir, { 'segment.bytes': 3000 });
    await expect(log.append(batch(10, 400), leader)).rejects.toMatchObject({ code: LogErrorCode.RECORD_LIST_TOO_LARGE });
    expect(log.logEndOffset).toBe(0n);
  });
});

describe('roll by time and retention', () => {
  it('rolls by segment.ms using batch timestamps', async () => {
    const clock = new FakeClock(10_000);
    log = openLog(dir, { 'segment.ms': 1000 }, { clock });
    await log.append(batch(1, 10, 10_000n), leader);
    await log.append(batch(1, 10, 10_500n), leader);
    expect(log.numberOfSegments).toBe(1);
    await log.append(batch(1, 10, 11_001n), leader);
    expect(log.segmentBaseOffsets()).toEqual([0n, 2n]);
  });

  it('deletes segments past retention.ms, never the active one, renaming then removing files', async () => {
    const clock = new FakeClock(100_000);
    log = openLog(dir, { 'segment.bytes': 500, 'retention.ms': 10_000 }, { clock });
    for (let i = 0; i < 12; i++) await log.append(batch(1, 100, BigInt(100_000 + i * 1000)), leader);
    const segs = log.segmentBaseOffsets();
    expect(segs.length).toBeGreaterThan(3);
    log.updateHighWatermark(log.logEndOffset);
    expect(await log.deleteOldSegments()).toBe(0);
    clock.t = 100_000 + 5 * 1000 + 10_001; // batches with ts <= 105000 are now expired
    const n = await log.deleteOldSegments();
    expect(n).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    const first = await log.read(log.logStartOffset, 1 << 20);
    expect(readBatchHeader(first.records).maxTimestamp > 100_000n + 5n * 1000n - 1000n).toBe(true);
    clock.t = 10_000_000;
    await log.deleteOldSegments();
    expect(log.numberOfSegments).toBe(1); // the active segment stays
    await waitFor(() => fs.readdirSync(log.dir).filter((f) => f.endsWith('.log') || f.endsWith('.deleted')).length === 1);
  });

  it('deletes the oldest segments beyond retention.bytes', async () => {
    log = openLog(dir, { 'segment.bytes': 1000, 'retention.bytes': 2500, 'retention.ms': -1 });
    for (let i = 0; i < 40; i++) await log.append(batch(1, 100), leader);
    log.updateHighWatermark(log.logEndOffset);
    await log.deleteOldSegments();
    expect(log.size).toBeLessThanOrEqual(2500 + 1000);
    expect(log.size).toBeGreaterThan(2500 - 1000);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
  });

  it('never deletes a segment the high watermark does not cover (retention.bytes), nor moves the HW', async () => {
    log = openLog(dir, { 'segment.bytes': 1000, 'retention.bytes': 1000, 'retention.ms': -1 });
    for (let i = 0; i < 40; i++) await log.append(batch(1, 100), leader);
    const segs = log.segmentBaseOffsets();
    expect(segs.length).toBeGreaterThan(4);
    // A follower lags: HW still 0. Nothing may go, whatever retention.bytes says.
    expect(await log.deleteOldSegments()).toBe(0);
    expect([log.logStartOffset, log.highWatermark]).toEqual([0n, 0n]);
    // The HW covers the first two segments (it sits at the third one's base): exactly those two go.
    const hw = segs[2] as bigint;
    log.updateHighWatermark(hw);
    expect(await log.deleteOldSegments()).toBe(2);
    expect(log.logStartOffset).toBe(hw);
    expect(log.highWatermark).toBe(hw);
    // One short of the next segment's end: still nothing.
    log.updateHighWatermark((segs[3] as bigint) - 1n);
    expect(await log.deleteOldSegments()).toBe(0);
    expect(log.logStartOffset).toBe(hw);
  });

  it('records stamped 0 (epoch) count as that old, not as the file\'s mtime (Kafka: maxTimestampSoFar >= 0)', async () => {
    const clock = new FakeClock(100_000);
    log = openLog(dir, { 'segment.bytes': 500, 'retention.ms': 10_000 }, { clock });
    for (let i = 0; i < 8; i++) await log.append(batch(1, 100, 0n), leader);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    log.updateHighWatermark(log.logEndOffset);
    const inactive = log.numberOfSegments - 1;
    expect(await log.deleteOldSegments()).toBe(inactive);
    expect(log.numberOfSegments).toBe(1);
  });

  it('never deletes an expired segment above the high watermark (retention.ms)', async () => {
    const clock = new FakeClock(100_000);
    log = openLog(dir, { 'segment.bytes': 500, 'retention.ms': 10_000 }, { clock });
    for (let i = 0; i < 12; i++) await log.append(batch(1, 100, 1000n), leader); // replayed: timestamps long expired
    const segs = log.segmentBaseOffsets();
    expect(segs.length).toBeGreaterThan(3);
    log.updateHighWatermark(5n);
    await log.deleteOldSegments();
    expect(log.logStartOffset).toBeLessThanOrEqual(5n);
    expect(log.highWatermark).toBe(5n);
    expect(log.segmentBaseOffsets()[0]).toBe(segs.filter((b) => b <= 5n).pop());
  });
});

describe('flush', () => {
  it('flush.messages fsyncs and moves the recovery point; group commit shares flushes', async () => {
    log = openLog(dir, { 'flush.messages': 1 });
    await Promise.all(Array.from({ length: 50 }, () => log.append(batch(1), leader)));
    expect(log.recoveryPoint).toBe(50n);
  });
  it('flush.ms flushes when due', async () => {
    const clock = new FakeClock();
    log = openLog(dir, { 'flush.ms': 1000 }, { clock });
    await log.append(batch(1), leader);
    await log.maybeFlushByTime();
    expect(log.recoveryPoint).toBe(0n);
    clock.advance(1000);
    await log.maybeFlushByTime();
    expect(log.recoveryPoint).toBe(1n);
  });
});
