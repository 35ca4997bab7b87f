// The log cleaner: compact (one clean of one log), crash-safe swaps of cleaned segment groups, and LogManager's
// cleaner (dirty-ratio selection, cleaner-offset-checkpoint).
import * as fs from 'fs';
import * as path from 'path';
import { OffsetCheckpointFile } from '../../../src/log/checkpoints';
import { Log } from '../../../src/log/Log';
import { Cleaner, CleaningAbortedError, type CleanResult } from '../../../src/log/Cleaner';
import { CLEANER_OFFSET_CHECKPOINT, compact, logToClean } from '../../../src/log/LogCleaner';
import * as segmentSwap from '../../../src/log/SegmentSwap';
import { LogManager } from '../../../src/log/LogManager';
import { LogConfig, logConfig } from '../../../src/log/LogConfig';
import { CLEANED_SUFFIX, DELETED_SUFFIX, LogSegment, SWAP_SUFFIX, filenamePrefixFromOffset } from '../../../src/log/LogSegment';
import { checkBatch, compressionOf, iterateBatches, type BatchHeader } from '../../../src/protocol/record/batch-header';
import { CompressionType } from '../../../src/protocol/record/compression';
import { buildRecordBatch, buildRecordBatchSync, decodeBatchRecords, type RecordInput } from '../../../src/protocol/record/records';
import { FakeClock, leader, tmpDir, waitFor } from './helpers';

const NOW = 1_700_000_000_000;

// Some tests spy on the swap to act between the groups of a clean.
afterEach(() => jest.restoreAllMocks());

interface Rec {
  offset: bigint;
  key: string | null;
  value: string | null;
}

const compactCfg: Partial<LogConfig> = { 'cleanup.policy': 'compact', 'segment.bytes': 400, 'delete.retention.ms': 10_000, 'index.interval.bytes': 64 };

function open(dir: string, cfg: Partial<LogConfig>, clean = true, clock = new FakeClock(NOW)): Log {
  return Log.loadSync({ dir: path.join(dir, 't-0'), topic: 't', partition: 0, config: logConfig({ 'file.delete.delay.ms': 0, ...cfg }), clock, hadCleanShutdown: clean });
}

function kv(key: string, value: string | null, ts = BigInt(NOW), compression = CompressionType.None): Buffer {
  return buildRecordBatchSync({ records: [{ key, value: value === null ? null : Buffer.from(value), timestamp: ts }], compression });
}

async function append(log: Log, key: string, value: string | null, ts = BigInt(NOW)): Promise<bigint> {
  const info = await log.append(kv(key, value, ts), leader);
  log.updateHighWatermark(log.logEndOffset);
  return info.firstOffset;
}

/** Every batch from the log start to the LEO, read through Log.read. */
async function readBatches(log: Log): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = await log.read(next, 1 << 20);
    if (r.records.length === 0) break;
    for (const v of iterateBatches(r.records)) out.push(r.records.subarray(v.position, v.position + v.size));
    next = r.nextOffset;
  }
  return out;
}

/** Every record from the log start to the LEO. */
async function readAll(log: Log): Promise<Rec[]> {
  const out: Rec[] = [];
  for (const b of await readBatches(log)) {
    expect(checkBatch(b, 0, b.length)).toBe(b.length);
    for (const rec of await decodeBatchRecords(b)) out.push({ offset: rec.offset, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
  }
  return out;
}

/** What a perfect compaction of `records` below `end` looks like: the latest record per key there, plus everything from `end` on. */
function compacted(records: Rec[], end: bigint): Rec[] {
  const latest = new Map<string | null, bigint>();
  for (const r of records) if (r.offset < end) latest.set(r.key, r.offset);
  return records.filter((r) => r.offset >= end || latest.get(r.key) === r.offset);
}

function activeBase(log: Log): bigint {
  const bases = log.segmentBaseOffsets();
  return bases[bases.length - 1] as bigint;
}

function inactive(log: Log): LogSegment[] {
  return log.logSegments().slice(0, -1);
}

function segmentOf(log: Log, offset: bigint): LogSegment {
  return log.logSegments().filter((s) => s.baseOffset <= offset).pop() as LogSegment;
}

function setMtime(seg: LogSegment, ms: number): void {
  fs.utimesSync(seg.logFile, new Date(ms), new Date(ms));
}

/** 8 keys × 15 rounds of single-record batches (some gzip), enough for many 400-byte segments; HW at the LEO. */
async function fillCommits(log: Log, rounds = 15): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 8; k++) await log.append(kv(`key-${k}`, `v${round}`, BigInt(NOW), round % 3 === 0 ? CompressionType.Gzip : CompressionType.None), leader);
  }
  log.updateHighWatermark(log.logEndOffset);
}

function files(d: string): string[] {
  return fs.readdirSync(path.join(d, 't-0')).sort();
}

const dirs: string[] = [];
function dir(): string {
  const d = tmpDir('brook-compact-');
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('compact', () => {
  test('keeps only the latest value per key below the active segment, at unchanged offsets, readable by offset', async () => {
    const log = open(dir(), compactCfg);
    await fillCommits(log);
    expect(log.numberOfSegments).toBeGreaterThan(4);
    const before = await readAll(log);
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    const leo = log.logEndOffset;
    const active = activeBase(log);
    const sizeBefore = log.size;

    const res = await compact(log, { now: NOW });
    expect(res.endOffset).toBe(active); // the whole dirty part fit the map
    expect(res.mapFull).toBe(false);
    expect(res.segmentsCleaned).toBeGreaterThan(0);
    expect(res.bytesAfter).toBeLessThan(res.bytesBefore);
    expect(log.logEndOffset).toBe(leo);
    expect(log.logStartOffset).toBe(0n);
    expect(activeBase(log)).toBe(active);
    expect(log.size).toBeLessThan(sizeBefore);

    const after = await readAll(log);
    for (const r of after) expect(byOffset.get(r.offset)).toEqual(r); // every survivor is the record that had this offset
    expect(after).toEqual(compacted(before, active));
    // Reads by offset use the new indexes: a kept offset returns its batch, a removed one the next batch.
    for (const r of before) {
      const got = await log.read(r.offset, 1);
      expect(got.firstOffset).toBe((after.find((a) => a.offset >= r.offset) as Rec).offset);
    }
    // From the checkpoint (the end of this clean) nothing is dirty: nothing changes.
    const again = await compact(log, { now: NOW, firstDirtyOffset: res.endOffset });
    expect(again.segmentsCleaned).toBe(0);
    expect(again.endOffset).toBe(res.endOffset);
    await log.close();
  });

  test('a delete-policy log is untouched', async () => {
    const d = dir();
    const log = open(d, { ...compactCfg, 'cleanup.policy': 'delete' });
    await fillCommits(log);
    const logFiles = (): string[] => files(d).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(d, 't-0', f)).toString('hex'));
    const bytes = logFiles();
    const before = await readAll(log);
    const r = await compact(log, { now: NOW });
    expect([r.segmentsCleaned, r.bytesRead]).toEqual([0, 0]);
    expect(logFiles()).toEqual(bytes);
    expect(await readAll(log)).toEqual(before);
    await log.close();
  });

  test('tombstones stay until their segment is delete.retention.ms older than the last clean segment (Kafka 2.x)', async () => {
    const log = open(dir(), compactCfg);
    await append(log, 'a', '1');
    const tombstone = await append(log, 'a', null);
    await append(log, 'b', '2');
    for (let i = 0; i < 20; i++) await append(log, `filler-${i}`, 'f');
    // First clean: no clean part yet, so no delete horizon; the tombstone shadows a=1 but stays.
    const r1 = await compact(log, { now: NOW });
    let recs = await readAll(log);
    expect(recs.filter((r) => r.key === 'a')).toEqual([{ offset: tombstone, key: 'a', value: null }]);

    /** More dirty data, then the clean part's newest segment dated `lastCleanAgeMs` after the tombstone's. */
    const T0 = NOW - 3_600_000;
    const cleanAgain = async (from: CleanResult, lastCleanAgeMs: number, tag: string): Promise<CleanResult> => {
      for (let i = 0; i < 6; i++) await append(log, `more-${tag}-${i}`, 'm');
      for (const s of inactive(log)) setMtime(s, T0);
      const lastClean = segmentOf(log, from.endOffset - 1n);
      expect(lastClean).not.toBe(segmentOf(log, tombstone));
      setMtime(lastClean, T0 + lastCleanAgeMs);
      return compact(log, { now: NOW, firstDirtyOffset: from.endOffset });
    };
    const r2 = await cleanAgain(r1, 9_000, 'x'); // 9 s < delete.retention.ms: kept
    recs = await readAll(log);
    expect(recs.filter((r) => r.key === 'a')).toEqual([{ offset: tombstone, key: 'a', value: null }]);
    await cleanAgain(r2, 11_000, 'y'); // 11 s: gone
    recs = await readAll(log);
    expect(recs.filter((r) => r.key === 'a')).toEqual([]);
    expect(recs.filter((r) => r.key === 'b')).toEqual([{ offset: 2n, key: 'b', value: '2' }]);
    expect(log.logStartOffset).toBe(0n);
    await log.close();
  });

  test('min.compaction.lag.ms keeps young segments dirty; the high watermark bounds the clean too', async () => {
    const log = open(dir(), { ...compactCfg, 'min.compaction.lag.ms': 60_000 });
    for (let round = 0; round < 6; round++) for (let k = 0; k < 4; k++) await append(log, `k${k}`, `old${round}`, BigInt(NOW - 120_000));
    const firstYoung = log.logEndOffset;
    for (let round = 0; round < 6; round++) for (let k = 0; k < 4; k++) await append(log, `k${k}`, `new${round}`, BigInt(NOW));
    const before = await readAll(log);
    const youngBase = segmentOf(log, firstYoung).baseOffset;
    expect(logToClean(log, undefined, NOW).firstUncleanableOffset).toBe(youngBase);

    const r = await compact(log, { now: NOW });
    expect(r.endOffset).toBe(youngBase);
    expect(await readAll(log)).toEqual(compacted(before, youngBase));
    // A minute later everything below the active segment is old enough.
    const r2 = await compact(log, { now: NOW + 61_000, firstDirtyOffset: r.endOffset });
    expect(r2.endOffset).toBe(activeBase(log));
    expect(await readAll(log)).toEqual(compacted(before, activeBase(log)));

    // The high watermark: nothing at or above the segment holding it is cleaned (KAFKA-13194).
    const log2 = open(dir(), compactCfg);
    await fillCommits(log2);
    const hw = log2.logSegments()[3]!.baseOffset + 1n;
    log2.updateHighWatermark(hw);
    const bounded = await compact(log2, { now: NOW });
    expect(bounded.endOffset).toBe(log2.logSegments()[3]!.baseOffset);
    await log.close();
    await log2.close();
  });

  test('each rewritten batch keeps its codec (gzip, snappy, lz4, zstd), base offset, offset range and producer fields', async () => {
    const log = open(dir(), { ...compactCfg, 'segment.bytes': 2000 });
    const codecs = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd, CompressionType.None];
    const headers = new Map<bigint, BatchHeader>();
    let offset = 0n;
    for (let round = 0; round < 4; round++) {
      for (const codec of codecs) {
        // Five records per batch; keys k0, k1 recur in every batch, the others are unique, so each batch loses some.
        const records: RecordInput[] = Array.from({ length: 5 }, (_, i) => ({ key: i < 2 ? `k${i}` : `u-${round}-${codec}-${i}`, value: `v${round}-${codec}-${i}`.repeat(8), timestamp: BigInt(NOW) }));
        const b = await buildRecordBatch({ baseOffset: offset, records, compression: codec, producerId: 4000n + BigInt(codec), producerEpoch: 3, baseSequence: 10 * round, partitionLeaderEpoch: 0 });
        await log.append(b, { assignOffsets: false, leaderEpoch: 0 });
        headers.set(offset, [...iterateBatches(b)][0]!.header);
        offset += 5n;
      }
    }
    log.updateHighWatermark(log.logEndOffset);
    const before = await readAll(log);
    const active = activeBase(log);
    await compact(log, { now: NOW });
    expect(await readAll(log)).toEqual(compacted(before, active));
    const seen = new Set<number>();
    for (const b of await readBatches(log)) {
      const h = [...iterateBatches(b)][0]!.header;
      const orig = headers.get(h.baseOffset) as BatchHeader;
      expect(orig).toBeDefined();
      expect(compressionOf(h.attributes)).toBe(compressionOf(orig.attributes));
      expect([h.lastOffsetDelta, h.producerId, h.producerEpoch, h.baseSequence, h.partitionLeaderEpoch, h.baseTimestamp]).toEqual([orig.lastOffsetDelta, orig.producerId, orig.producerEpoch, orig.baseSequence, orig.partitionLeaderEpoch, orig.baseTimestamp]);
      if (h.recordCount < orig.recordCount) seen.add(compressionOf(h.attributes)); // rebuilt, under its own codec
    }
    expect([...seen].sort()).toEqual([...codecs].sort());
    await log.close();
  });

  test('small segments are merged into one cleaned segment within segment.bytes (Kafka groupSegmentsBySize)', async () => {
    const log = open(dir(), compactCfg);
    await fillCommits(log, 30);
    const before = await readAll(log);
    const active = activeBase(log);
    await compact(log, { now: NOW }); // each 400-byte segment is its own group: most come out empty
    const first = log.numberOfSegments;
    const r = await compact(log, { now: NOW }); // again from the log start: the shrunken segments merge
    expect(r.segmentsWritten).toBeLessThan(r.segmentsCleaned);
    expect(log.numberOfSegments).toBeLessThan(first);
    for (const s of inactive(log)) expect(s.size).toBeLessThanOrEqual(400);
    expect(await readAll(log)).toEqual(compacted(before, active));
    await log.close();
  });

  test('a segment larger than segment.bytes is split into cleaned segments within it', async () => {
    const d = dir();
    const log = open(d, { ...compactCfg, 'segment.bytes': 3000 });
    for (let i = 0; i < 90; i++) await append(log, `unique-${i}`, 'x'.repeat(20));
    await append(log, 'unique-0', 'last'); // one change, so the first segment is rewritten
    for (let i = 0; i < 50; i++) await append(log, `tail-${i}`, 't'); // ... once that change is below the active segment
    const before = await readAll(log);
    const active = activeBase(log);
    const big = inactive(log).map((s) => s.size);
    expect(Math.max(...big)).toBeGreaterThan(2000);
    log.config = { ...log.config, 'segment.bytes': 700 };
    const r = await compact(log, { now: NOW });
    expect(r.segmentsWritten).toBeGreaterThan(r.segmentsCleaned);
    for (const s of inactive(log)) expect(s.size).toBeLessThanOrEqual(700);
    expect(await readAll(log)).toEqual(compacted(before, active));
    await log.close();
    const again = open(d, compactCfg);
    expect(await readAll(again)).toEqual(compacted(before, active));
    await again.close();
  });

  test('a full offset map cleans up to where it ended; later cleans continue from there', async () => {
    const log = open(dir(), compactCfg);
    // Five phases of five keys each, every key overwritten five times within its phase.
    for (let phase = 0; phase < 5; phase++) for (let round = 0; round < 5; round++) for (let k = 0; k < 5; k++) await append(log, `p${phase}-k${k}`, `r${round}`);
    const before = await readAll(log);
    const active = activeBase(log);
    const cleaner = new Cleaner({ dedupeBufferSize: 24 * 10, loadFactor: 0.9 }); // nine keys
    expect(cleaner.mapCapacity).toBe(9);
    const r = await compact(log, { now: NOW, cleaner });
    expect(r.mapFull).toBe(true);
    expect(r.mapEntries).toBe(9);
    expect(r.endOffset).toBeLessThan(active);
    expect(await readAll(log)).toEqual(compacted(before, r.endOffset));
    let from = r;
    for (let i = 0; i < 10 && from.endOffset < active; i++) {
      const next = await compact(log, { now: NOW, cleaner, firstDirtyOffset: from.endOffset });
      expect(next.endOffset).toBeGreaterThan(from.endOffset);
      from = next;
    }
    expect(from.endOffset).toBe(active);
    expect(await readAll(log)).toEqual(compacted(before, active));
    await log.close();
  });

  test('appends and reads running alongside a clean stay correct', async () => {
    const log = open(dir(), compactCfg);
    await fillCommits(log);
    const leo = log.logEndOffset;
    const clean = compact(log, { now: NOW });
    const appends = Array.from({ length: 20 }, (_, i) => log.append(kv(`late-${i}`, 'l'), leader));
    const reads = Array.from({ length: 10 }, () => readAll(log));
    await Promise.all([clean, ...appends, ...reads]);
    const after = await readAll(log);
    expect(after.filter((r) => r.key?.startsWith('late-')).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => leo + BigInt(i)));
    expect(log.logEndOffset).toBe(leo + 20n);
    await log.close();
  });

  test('a reload after a clean (clean shutdown or crash) sees the same data', async () => {
    const d = dir();
    const log = open(d, compactCfg);
    await fillCommits(log);
    await compact(log, { now: NOW });
    const after = await readAll(log);
    const leo = log.logEndOffset;
    await log.close();
    for (const clean of [true, false]) {
      const again = open(d, compactCfg, clean);
      expect(again.logEndOffset).toBe(leo);
      expect(await readAll(again)).toEqual(after);
      await again.close();
    }
    expect(files(d).filter((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX) || f.endsWith(DELETED_SUFFIX))).toEqual([]);
  });

  test('a truncation during a clean aborts it: nothing is swapped, the log is the truncated log', async () => {
    const d = dir();
    const log = open(d, compactCfg);
    await fillCommits(log);
    const before = await readAll(log);
    const cut = log.logSegments()[2]!.baseOffset + 2n;
    let truncation: Promise<boolean> | null = null;
    // The first check of the clean (while it builds its map) lets a follower truncation in.
    const cleaner = new Cleaner({}, { shouldAbort: () => ((truncation ??= log.truncateTo(cut)), false) });
    await expect(compact(log, { now: NOW, cleaner })).rejects.toBeInstanceOf(CleaningAbortedError);
    expect(await truncation).toBe(true);
    expect(log.logEndOffset).toBe(cut);
    expect(await readAll(log)).toEqual(before.filter((r) => r.offset < cut));
    expect(files(d).filter((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX))).toEqual([]);
    await log.close();
    const again = open(d, compactCfg, false);
    expect(await readAll(again)).toEqual(before.filter((r) => r.offset < cut));
    await again.close();
  });

  test('a truncation between two swapped groups stops the clean; the log stays consistent and reloads the same', async () => {
    const d = dir();
    const log = open(d, compactCfg);
    await fillCommits(log);
    const before = new Map((await readAll(log)).map((r) => [r.offset, r]));
    const cut = log.logSegments()[6]!.baseOffset + 1n;
    const replace = segmentSwap.replaceSegments;
    let swaps = 0;
    jest.spyOn(segmentSwap, 'replaceSegments').mockImplementation(async (l, olds, expected, bases) => {
      if (swaps++ === 1) await log.truncateTo(cut);
      return replace(l, olds, expected, bases);
    });
    await expect(compact(log, { now: NOW })).rejects.toBeInstanceOf(CleaningAbortedError);
    const after = await readAll(log);
    expect(log.logEndOffset).toBe(cut);
    for (const r of after) expect(before.get(r.offset)).toEqual(r);
    expect(after.map((r) => r.offset)).toEqual([...after.map((r) => r.offset)].sort((a, b) => (a < b ? -1 : 1)));
    await log.close();
    const again = open(d, compactCfg, false);
    expect(await readAll(again)).toEqual(after);
    await again.close();
  });

  test('retention deleting a segment the clean is rewriting aborts the clean', async () => {
    const log = open(dir(), { ...compactCfg, 'cleanup.policy': 'compact,delete', 'retention.bytes': 2000, 'retention.ms': -1 });
    await fillCommits(log);
    let retention: Promise<number> | null = null;
    const cleaner = new Cleaner({}, { shouldAbort: () => ((retention ??= log.deleteOldSegments()), false) });
    await expect(compact(log, { now: NOW, cleaner })).rejects.toBeInstanceOf(CleaningAbortedError);
    expect(await retention).toBeGreaterThan(0);
    const recs = await readAll(log);
    expect(recs[0]?.offset).toBe(log.logStartOffset);
    await log.close();
  });
});

describe('a crash in the middle of a swap', () => {
  /**
   * Runs a clean of `d`'s log; at its first swap, copies the partition dir (cleaned output as `.cleaned` files, old
   * segments in place) to each of `copies`, then lets the swap proceed. Returns the records before and after.
   */
  async function cleanAndCapture(d: string, cfg: Partial<LogConfig>, fill: (log: Log) => Promise<void>, shrinkTo: number | null, copies: string[]): Promise<{ original: Rec[]; cleaned: Rec[]; olds: bigint[]; outputs: bigint[] }> {
    const log = open(d, cfg);
    await fill(log);
    if (shrinkTo !== null) log.config = { ...log.config, 'segment.bytes': shrinkTo };
    const original = await readAll(log);
    let olds: bigint[] = [];
    let outputs: bigint[] = [];
    const replace = segmentSwap.replaceSegments;
    let first = true;
    jest.spyOn(segmentSwap, 'replaceSegments').mockImplementation(async (l, o, expected, bases) => {
      if (first) {
        first = false;
        olds = o.map((s) => s.baseOffset);
        outputs = [...bases];
        for (const c of copies) fs.cpSync(path.join(d, 't-0'), path.join(c, 't-0'), { recursive: true });
        return replace(l, o, expected, bases);
      }
      return false; // only the first group is swapped: the copies show that one group
    });
    await compact(log, { now: NOW }).catch((e: unknown) => {
      if (!(e instanceof CleaningAbortedError)) throw e;
    });
    const cleaned = await readAll(log);
    await log.close();
    return { original, cleaned, olds, outputs };
  }

  const p = (d: string, base: bigint, suffix: string): string => path.join(d, 't-0', filenamePrefixFromOffset(base) + suffix);
  const leftovers = (d: string): string[] => files(d).filter((f) => /\.(cleaned|swap|deleted)$/.test(f));

  async function loadAfterCrash(d: string): Promise<Rec[]> {
    const log = open(d, compactCfg, false);
    const recs = await readAll(log);
    await log.close();
    expect(leftovers(d)).toEqual([]);
    return recs;
  }

  test('one segment split into several: before the commit the clean is rolled back, after it completed', async () => {
    const d = dir();
    const [a, b, c, e] = [dir(), dir(), dir(), dir()];
    const fill = async (log: Log): Promise<void> => {
      for (let i = 0; i < 60; i++) await append(log, `unique-${i}`, 'x'.repeat(20));
      await append(log, 'unique-0', 'last');
      for (let i = 0; i < 10; i++) await append(log, `tail-${i}`, 't');
    };
    const { original, cleaned, olds, outputs } = await cleanAndCapture(d, { ...compactCfg, 'segment.bytes': 3000 }, fill, 700, [a, b, c, e]);
    expect(olds).toHaveLength(1);
    expect(outputs.length).toBeGreaterThan(2);
    expect(cleaned).not.toEqual(original);

    // a: crash before any rename: the .cleaned files go, the data is the original.
    expect(await loadAfterCrash(a)).toEqual(original);
    // b: crash while renaming .cleaned -> .swap (highest first): not committed, rolled back.
    for (const base of outputs.slice(1)) fs.renameSync(p(b, base, '.log' + CLEANED_SUFFIX), p(b, base, '.log' + SWAP_SUFFIX));
    expect(await loadAfterCrash(b)).toEqual(original);
    // c: every output is .swap, the old segment still in place: committed, completed on load.
    for (const base of outputs) fs.renameSync(p(c, base, '.log' + CLEANED_SUFFIX), p(c, base, '.log' + SWAP_SUFFIX));
    expect(await loadAfterCrash(c)).toEqual(cleaned);
    // e: the old segment already .deleted and the first output already swapped in (indexes too).
    for (const base of outputs) fs.renameSync(p(e, base, '.log' + CLEANED_SUFFIX), p(e, base, '.log' + SWAP_SUFFIX));
    for (const suffix of ['.log', '.index', '.timeindex']) if (fs.existsSync(p(e, olds[0]!, suffix))) fs.renameSync(p(e, olds[0]!, suffix), p(e, olds[0]!, suffix + DELETED_SUFFIX));
    const low = outputs[0]!;
    for (const suffix of ['.index', '.timeindex']) if (fs.existsSync(p(e, low, suffix + CLEANED_SUFFIX))) fs.renameSync(p(e, low, suffix + CLEANED_SUFFIX), p(e, low, suffix));
    fs.renameSync(p(e, low, '.log' + SWAP_SUFFIX), p(e, low, '.log'));
    expect(await loadAfterCrash(e)).toEqual(cleaned);
  });

  test('several segments merged into one: a committed swap removes the old segments still under their names', async () => {
    const d = dir();
    const [c, dd] = [dir(), dir()];
    const fill = async (log: Log): Promise<void> => {
      // Every round leaves one record (its unique key) after the first clean, so each merged segment ends in a survivor.
      for (let round = 0; round < 30; round++) {
        for (let k = 0; k < 4; k++) await append(log, `key-${k}`, `v${round}`);
        await append(log, `uniq-${round}`, 'u');
      }
      await compact(log, { now: NOW }); // shrinks the segments, so the next clean merges them
      for (let i = 0; i < 8; i++) await append(log, `key-${i}`, 'final');
      for (let i = 0; i < 10; i++) await append(log, `tail-${i}`, 't');
    };
    const { cleaned, olds, outputs } = await cleanAndCapture(d, compactCfg, fill, null, [c, dd]);
    expect(olds.length).toBeGreaterThan(1);
    expect(outputs).toHaveLength(1);
    // c: the output is .swap; every old segment is still a .log.
    fs.renameSync(p(c, outputs[0]!, '.log' + CLEANED_SUFFIX), p(c, outputs[0]!, '.log' + SWAP_SUFFIX));
    expect(await loadAfterCrash(c)).toEqual(cleaned);
    // dd: the same with half of the old segments already renamed .deleted.
    fs.renameSync(p(dd, outputs[0]!, '.log' + CLEANED_SUFFIX), p(dd, outputs[0]!, '.log' + SWAP_SUFFIX));
    for (const base of olds.slice(0, Math.ceil(olds.length / 2))) for (const suffix of ['.log', '.index', '.timeindex']) if (fs.existsSync(p(dd, base, suffix))) fs.renameSync(p(dd, base, suffix), p(dd, base, suffix + DELETED_SUFFIX));
    expect(await loadAfterCrash(dd)).toEqual(cleaned);
  });
});

describe('LogManager cleaner', () => {
  function manager(d: string, clock = new FakeClock(NOW)): LogManager {
    return new LogManager({ logDirs: [d], defaultConfig: logConfig({ 'file.delete.delay.ms': 0 }), scheduler: null, clock });
  }
  const cfg = (extra: Partial<LogConfig> = {}): LogConfig => logConfig({ 'file.delete.delay.ms': 0, ...compactCfg, ...extra });
  const checkpoint = (d: string): Map<string, bigint> => new OffsetCheckpointFile(path.join(d, CLEANER_OFFSET_CHECKPOINT)).readMapSync();

  test('cleans compact-policy logs only', async () => {
    const d = dir();
    const lm = manager(d);
    await lm.startup();
    const compactedLog = lm.getOrCreateLog('__consumer_offsets', 0, cfg());
    const plain = lm.getOrCreateLog('plain', 0, cfg({ 'cleanup.policy': 'delete' }));
    await fillCommits(compactedLog);
    await fillCommits(plain);
    const plainSize = plain.size;
    const compactedSize = compactedLog.size;
    expect(await lm.cleanLogs()).toBeGreaterThan(0);
    expect(compactedLog.size).toBeLessThan(compactedSize);
    expect(plain.size).toBe(plainSize);
    expect([...checkpoint(d).keys()]).toEqual(['__consumer_offsets-0']);
    await lm.shutdown();
  });

  test('a truncation below the checkpoint brings it down (Kafka\'s maybeTruncateCheckpoint): re-appended records are dirty again', async () => {
    const d = dir();
    const lm = manager(d);
    await lm.startup();
    const log = lm.getOrCreateLog('t', 0, cfg());
    await fillCommits(log, 3);
    expect(await lm.cleanLogs()).toBeGreaterThan(0);
    const end = activeBase(log);
    expect(checkpoint(d).get('t-0')).toBe(end);
    const to = end - 5n;
    await log.truncateTo(to);
    await waitFor(() => checkpoint(d).get('t-0') === log.logEndOffset);
    expect(log.logEndOffset).toBeLessThanOrEqual(to);
    expect(lm.cleaner.checkpointOf(log, d)).toBe(log.logEndOffset);
    // A truncation above the checkpoint leaves it alone.
    for (let i = 0; i < 20; i++) await append(log, `again-${i}`, 'x');
    const cp = checkpoint(d).get('t-0');
    await log.truncateTo(log.logEndOffset - 2n);
    expect(checkpoint(d).get('t-0')).toBe(cp);
    await lm.shutdown();
  });

  test('a log is cleaned only above min.cleanable.dirty.ratio; the checkpoint is written, survives a restart and starts the next clean', async () => {
    const d = dir();
    const lm = manager(d);
    await lm.startup();
    const log = lm.getOrCreateLog('t', 0, cfg({ 'min.cleanable.dirty.ratio': 0.5 }));
    for (let i = 0; i < 60; i++) await append(log, `unique-${i}`, 'u');
    await fillCommits(log, 3);
    expect(await lm.cleanLogs()).toBeGreaterThan(0); // no checkpoint: everything is dirty
    const end = activeBase(log);
    expect(checkpoint(d).get('t-0')).toBe(end);
    expect(lm.cleaner.lastStats?.endOffset).toBe(end);

    // A little new dirty data: under the ratio, nothing happens.
    for (let i = 0; i < 12; i++) await append(log, `key-${i % 8}`, 'late');
    const ltc = lm.cleaner.grabFilthiestLog([{ log, logDir: d }]);
    expect(ltc).toBeNull();
    expect(lm.cleaner.maxDirtyRatio).toBeGreaterThan(0);
    expect(lm.cleaner.maxDirtyRatio).toBeLessThanOrEqual(0.5);
    const unchanged = files(d);
    expect(await lm.cleanLogs()).toBe(0);
    expect(files(d)).toEqual(unchanged);
    await lm.shutdown();

    // Restart: the checkpoint is read back; more dirty data pushes the ratio over and the clean starts there.
    const lm2 = manager(d);
    await lm2.startup();
    const log2 = lm2.getLog('t', 0) as Log;
    log2.config = cfg({ 'min.cleanable.dirty.ratio': 0.5 });
    log2.updateHighWatermark(log2.logEndOffset);
    expect(lm2.cleaner.checkpointOf(log2, d)).toBe(end);
    for (let i = 0; i < 150; i++) await append(log2, `key-${i % 8}`, `later-${i}`);
    const filthy = lm2.cleaner.grabFilthiestLog([{ log: log2, logDir: d }]);
    expect(filthy?.firstDirtyOffset).toBe(end);
    expect(filthy!.cleanableRatio).toBeGreaterThan(0.5);
    expect(await lm2.cleanLogs()).toBeGreaterThan(0);
    expect(lm2.cleaner.lastStats?.firstDirtyOffset).toBe(end);
    expect(checkpoint(d).get('t-0')).toBe(activeBase(log2));
    await lm2.shutdown();
  });

  test('the dirtiest log goes first; max.compaction.lag.ms forces a clean under the ratio; deleting a log drops its checkpoint', async () => {
    const d = dir();
    const clock = new FakeClock(NOW);
    const lm = manager(d, clock);
    await lm.startup();
    const a = lm.getOrCreateLog('a', 0, cfg());
    const b = lm.getOrCreateLog('b', 0, cfg());
    await fillCommits(a, 10);
    await fillCommits(b, 10);
    await lm.cleanLogs();
    for (let i = 0; i < 80; i++) await append(a, `key-${i % 8}`, 'x');
    for (let i = 0; i < 40; i++) await append(b, `key-${i % 8}`, 'x');
    const logs = [a, b].map((log) => ({ log, logDir: d }));
    expect(lm.cleaner.grabFilthiestLog(logs)?.log).toBe(a);
    expect(await lm.cleanLogs()).toBeGreaterThan(0);

    const c = lm.getOrCreateLog('c', 0, cfg({ 'min.cleanable.dirty.ratio': 1, 'max.compaction.lag.ms': 60_000 }));
    for (let i = 0; i < 60; i++) await append(c, `key-${i % 8}`, 'x', BigInt(NOW - 120_000));
    expect(lm.cleaner.grabFilthiestLog([{ log: c, logDir: d }])?.needCompactionNow).toBe(true);
    const size = c.size;
    expect(await lm.cleanLogs()).toBeGreaterThan(0);
    expect(c.size).toBeLessThan(size);

    expect(checkpoint(d).has('c-0')).toBe(true);
    await lm.deleteLog('c', 0);
    expect(checkpoint(d).has('c-0')).toBe(false);
    expect(checkpoint(d).has('a-0')).toBe(true);
    await lm.shutdown();
  });

  test('a disk error while cleaning takes the log dir offline (Kafka: an IOException in the cleaner); bad data marks the log uncleanable', async () => {
    const d = dir();
    const lm = manager(d);
    await lm.startup();
    const log = lm.getOrCreateLog('t', 0, cfg());
    await fillCommits(log);
    const open = fs.promises.open;
    const spy = jest.spyOn(fs.promises, 'open').mockImplementation(async (...a: Parameters<typeof open>) => {
      if (String(a[0]).endsWith('.log')) throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO', syscall: 'open' });
      return open(...a);
    });
    try {
      expect(await lm.cleanLogs()).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(lm.isDirOffline(d)).toBe(true);
    expect(log.isOffline).toBe(true);
    await lm.shutdown();

    // A corrupt batch (bad CRC) is data, not the disk: that log is skipped until restart, the dir stays up.
    const d2 = dir();
    const lm2 = manager(d2);
    await lm2.startup();
    const bad = lm2.getOrCreateLog('t', 0, cfg());
    await fillCommits(bad);
    const first = bad.logSegments()[0]!.logFile;
    const bytes = fs.readFileSync(first);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    fs.writeFileSync(first, bytes);
    expect(await lm2.cleanLogs()).toBe(0);
    expect(lm2.isDirOffline(d2)).toBe(false);
    expect(lm2.cleaner.grabFilthiestLog([{ log: bad, logDir: d2 }])).toBeNull();
    await lm2.shutdown();
  });

  test('startup schedules the cleaner every cleanerIntervalMs (null: no cleaner job); shutdown stops a clean in progress', async () => {
    const jobs = new Map<string, { fn: () => Promise<void>; periodMs: number }>();
    const scheduler = {
      schedulePeriodic(name: string, fn: () => Promise<void>, periodMs: number) {
        jobs.set(name, { fn, periodMs });
        return () => jobs.delete(name);
      },
    };
    const d = dir();
    const lm = new LogManager({ logDirs: [d], defaultConfig: logConfig({ 'file.delete.delay.ms': 0 }), scheduler, cleanerIntervalMs: 250, clock: new FakeClock(NOW) });
    await lm.startup();
    const job = jobs.get('log-cleaner');
    expect(job?.periodMs).toBe(250);
    const log = lm.getOrCreateLog('__consumer_offsets', 0, cfg());
    await fillCommits(log);
    const size = log.size;
    await job?.fn();
    expect(log.size).toBeLessThan(size);
    // A clean running when shutdown comes is aborted, and shutdown completes.
    await fillCommits(log, 30);
    const running = job?.fn();
    await lm.shutdown();
    await running;
    expect(jobs.has('log-cleaner')).toBe(false);
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX))).toEqual([]);

    jobs.clear();
    const lm2 = new LogManager({ logDirs: [dir()], defaultConfig: logConfig(), scheduler, cleanerIntervalMs: null });
    await lm2.startup();
    expect(jobs.has('log-cleaner')).toBe(false);
    expect(jobs.has('log-retention')).toBe(true);
    await lm2.shutdown();
  });
});
