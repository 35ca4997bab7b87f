// Log.compact and LogManager.cleanLogs: the log cleaner for cleanup.policy=compact logs, including crash-safe swaps.
import * as fs from 'fs';
import * as path from 'path';
import { Log } from '../../../src/log/Log';
import { LogManager } from '../../../src/log/LogManager';
import { LogConfig, logConfig } from '../../../src/log/LogConfig';
import { SWAP_SUFFIX, CLEANED_SUFFIX, filenamePrefixFromOffset } from '../../../src/log/LogSegment';
import { iterateBatches } from '../../../src/protocol/record/batch-header';
import { CompressionType } from '../../../src/protocol/record/compression';
import { buildRecordBatchSync, decodeBatchRecordsSync } from '../../../src/protocol/record/records';
import { FakeClock, leader, tmpDir } from './helpers';

const NOW = 1_700_000_000_000;

interface Rec {
  offset: bigint;
  key: string | null;
  value: string | null;
}

const compactCfg: Partial<LogConfig> = { 'cleanup.policy': 'compact', 'segment.bytes': 400, 'delete.retention.ms': 10_000, 'index.interval.bytes': 64 };

function open(dir: string, cfg: Partial<LogConfig>, clean = true): Log {
  return Log.loadSync({ dir: path.join(dir, 't-0'), topic: 't', partition: 0, config: logConfig({ 'file.delete.delay.ms': 0, ...cfg }), clock: new FakeClock(NOW), hadCleanShutdown: clean });
}

function kv(key: string, value: string | null, ts = BigInt(NOW), compression = CompressionType.None): Buffer {
  return buildRecordBatchSync({ records: [{ key, value: value === null ? null : Buffer.from(value), timestamp: ts }], compression });
}

/** Every record from the log start to the LEO, read through Log.read. */
async function readAll(log: Log): Promise<Rec[]> {
  const out: Rec[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = await log.read(next, 1 << 20);
    if (r.records.length === 0) break;
    for (const v of iterateBatches(r.records)) {
      for (const rec of decodeBatchRecordsSync(r.records.subarray(v.position, v.position + v.size))) {
        out.push({ offset: rec.offset, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
      }
    }
    next = r.nextOffset;
  }
  return out;
}

function activeBase(log: Log): bigint {
  const bases = log.segmentBaseOffsets();
  return bases[bases.length - 1] as bigint;
}

/** 8 keys × 15 rounds of single-record batches (some gzip), enough for many 400-byte segments. */
async function fillCommits(log: Log): Promise<void> {
  for (let round = 0; round < 15; round++) {
    for (let k = 0; k < 8; k++) await log.append(kv(`key-${k}`, `v${round}`, BigInt(NOW), round % 3 === 0 ? CompressionType.Gzip : CompressionType.None), leader);
  }
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

describe('Log.compact', () => {
  test('keeps only the latest value per key in inactive segments, at unchanged offsets, readable by offset', async () => {
    const log = open(dir(), compactCfg);
    await fillCommits(log);
    expect(log.numberOfSegments).toBeGreaterThan(4);
    const before = await readAll(log);
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    const leo = log.logEndOffset;
    const start = log.logStartOffset;
    const active = activeBase(log);
    const sizeBefore = log.size;

    const res = await log.compact(NOW);
    expect(res.segmentsCleaned).toBeGreaterThan(0);
    expect(res.bytesAfter).toBeLessThan(res.bytesBefore);
    expect(log.logEndOffset).toBe(leo);
    expect(log.logStartOffset).toBe(start);
    expect(activeBase(log)).toBe(active);
    expect(log.size).toBeLessThan(sizeBefore);

    const after = await readAll(log);
    // Every surviving record is the very record that had this offset before.
    for (const r of after) expect(byOffset.get(r.offset)).toEqual(r);
    // Inactive part: one record per key, the latest one among the inactive records.
    const inactiveBefore = before.filter((r) => r.offset < active);
    const latest = new Map<string, bigint>();
    for (const r of inactiveBefore) latest.set(r.key as string, r.offset);
    const inactiveAfter = after.filter((r) => r.offset < active);
    expect(inactiveAfter.map((r) => r.offset).sort()).toEqual([...latest.values()].sort());
    // Active segment untouched.
    expect(after.filter((r) => r.offset >= active)).toEqual(before.filter((r) => r.offset >= active));
    // Reads by offset use the rebuilt index: a kept offset returns the batch holding it, a removed one the next batch.
    for (const r of before) {
      const got = await log.read(r.offset, 1);
      const next = after.find((a) => a.offset >= r.offset) as Rec;
      expect(got.firstOffset).toBe(next.offset);
    }
    // Compacting again changes nothing.
    expect((await log.compact(NOW)).segmentsCleaned).toBe(0);
    await log.close();
  });

  test('tombstones older than delete.retention.ms are removed, younger ones kept', async () => {
    const log = open(dir(), compactCfg);
    await log.append(kv('old', 'x'), leader);
    await log.append(kv('young', 'y'), leader);
    await log.append(kv('live', 'z'), leader);
    await log.append(kv('old', null, BigInt(NOW - 20_000)), leader);
    await log.append(kv('young', null, BigInt(NOW - 5_000)), leader);
    for (let i = 0; i < 20; i++) await log.append(kv(`filler-${i}`, 'f'), leader); // push the tombstones out of the active segment
    expect(activeBase(log)).toBeGreaterThan(4n);
    await log.compact(NOW);
    const after = await readAll(log);
    expect(after.filter((r) => r.key === 'old')).toEqual([]);
    expect(after.filter((r) => r.key === 'young')).toEqual([{ offset: 4n, key: 'young', value: null }]);
    expect(after.filter((r) => r.key === 'live')).toEqual([{ offset: 2n, key: 'live', value: 'z' }]);
    // Once the young tombstone ages past delete.retention.ms it goes as well.
    await log.compact(NOW + 10_000);
    expect((await readAll(log)).filter((r) => r.key === 'young')).toEqual([]);
    expect(log.logStartOffset).toBe(0n);
    await log.close();
  });

  test('a delete-policy log is untouched', async () => {
    const d = dir();
    const log = open(d, { ...compactCfg, 'cleanup.policy': 'delete' });
    await fillCommits(log);
    const files = () => fs.readdirSync(path.join(d, 't-0')).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(d, 't-0', f)).toString('hex'));
    const before = await readAll(log);
    const bytes = files();
    expect(await log.compact(NOW)).toEqual({ segmentsCleaned: 0, bytesBefore: 0, bytesAfter: 0 });
    expect(files()).toEqual(bytes);
    expect(await readAll(log)).toEqual(before);
    await log.close();
  });

  test('appends and reads running alongside a compaction stay correct', async () => {
    const log = open(dir(), compactCfg);
    await fillCommits(log);
    const leo = log.logEndOffset;
    const compaction = log.compact(NOW);
    const appends = Array.from({ length: 20 }, (_, i) => log.append(kv(`late-${i}`, 'l'), leader));
    const reads = Array.from({ length: 10 }, () => readAll(log));
    await Promise.all([compaction, ...appends, ...reads]);
    const after = await readAll(log);
    expect(after.filter((r) => r.key?.startsWith('late-')).map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => leo + BigInt(i)));
    expect(log.logEndOffset).toBe(leo + 20n);
    await log.close();
  });

  test('a reload after compaction (clean or after a crash) sees the same data', async () => {
    const d = dir();
    const log = open(d, compactCfg);
    await fillCommits(log);
    await log.compact(NOW);
    const after = await readAll(log);
    const leo = log.logEndOffset;
    await log.close();
    for (const clean of [true, false]) {
      const again = open(d, compactCfg, clean);
      expect(again.logEndOffset).toBe(leo);
      expect(await readAll(again)).toEqual(after);
      await again.close();
    }
  });

  test('interrupted cleans: leftover .cleaned files are dropped, .swap files are completed on load', async () => {
    const d1 = dir();
    const d2 = dir();
    const log = open(d1, compactCfg);
    await fillCommits(log);
    await log.close();
    fs.cpSync(path.join(d1, 't-0'), path.join(d2, 't-0'), { recursive: true });
    const original = open(d1, compactCfg);
    const originalRecords = await readAll(original);
    await original.compact(NOW);
    const compacted = await readAll(original);
    const bases = original.segmentBaseOffsets().slice(0, -1);
    await original.close();
    const seg = (d: string, b: bigint) => path.join(d, 't-0', filenamePrefixFromOffset(b) + '.log');

    // Crash before the swap began: only .cleaned files exist; they are removed and the data is the original.
    for (const b of bases) fs.copyFileSync(seg(d1, b), seg(d2, b) + CLEANED_SUFFIX);
    const l2 = open(d2, compactCfg, false);
    expect(await readAll(l2)).toEqual(originalRecords);
    await l2.close();
    expect(fs.readdirSync(path.join(d2, 't-0')).filter((f) => f.endsWith(CLEANED_SUFFIX))).toEqual([]);

    // Crash mid-swap: the first segments were renamed to .swap (one already swapped in without indexes), the rest
    // still .cleaned. The swaps complete, the rest stays uncleaned, and every read matches one of the two states.
    const half = Math.floor(bases.length / 2);
    bases.forEach((b, i) => fs.copyFileSync(seg(d1, b), seg(d2, b) + (i < half ? SWAP_SUFFIX : CLEANED_SUFFIX)));
    const l3 = open(d2, compactCfg, false);
    const mixed = await readAll(l3);
    const boundary = bases[half] as bigint;
    expect(mixed.filter((r) => r.offset < boundary)).toEqual(compacted.filter((r) => r.offset < boundary));
    expect(mixed.filter((r) => r.offset >= boundary)).toEqual(originalRecords.filter((r) => r.offset >= boundary));
    await l3.close();
    const leftovers = fs.readdirSync(path.join(d2, 't-0')).filter((f) => f.endsWith(SWAP_SUFFIX) || f.endsWith(CLEANED_SUFFIX));
    expect(leftovers).toEqual([]);
    // A later clean converges on the fully compacted data.
    const l4 = open(d2, compactCfg);
    await l4.compact(NOW);
    expect(await readAll(l4)).toEqual(compacted);
    await l4.close();
  });
});

describe('LogManager.cleanLogs', () => {
  test('compacts compact-policy logs only', async () => {
    const d = dir();
    const lm = new LogManager({ logDirs: [d], defaultConfig: logConfig({ 'file.delete.delay.ms': 0 }), scheduler: null, clock: new FakeClock(NOW) });
    await lm.startup();
    const compacted = lm.getOrCreateLog('__consumer_offsets', 0, logConfig({ 'file.delete.delay.ms': 0, ...compactCfg }));
    const plain = lm.getOrCreateLog('plain', 0, logConfig({ 'file.delete.delay.ms': 0, ...compactCfg, 'cleanup.policy': 'delete' }));
    await fillCommits(compacted);
    await fillCommits(plain);
    const plainSize = plain.size;
    const compactedSize = compacted.size;
    expect(await lm.cleanLogs()).toBeGreaterThan(0);
    expect(compacted.size).toBeLessThan(compactedSize);
    expect(plain.size).toBe(plainSize);
    await lm.shutdown();
  });

  test('startup schedules the cleaner every cleanerIntervalMs (null: no cleaner job)', async () => {
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
    const log = lm.getOrCreateLog('__consumer_offsets', 0, logConfig({ 'file.delete.delay.ms': 0, ...compactCfg }));
    await fillCommits(log);
    const size = log.size;
    await job?.fn();
    expect(log.size).toBeLessThan(size);
    await lm.shutdown();
    expect(jobs.has('log-cleaner')).toBe(false);

    jobs.clear();
    const lm2 = new LogManager({ logDirs: [dir()], defaultConfig: logConfig(), scheduler, cleanerIntervalMs: null });
    await lm2.startup();
    expect(jobs.has('log-cleaner')).toBe(false);
    expect(jobs.has('log-retention')).toBe(true);
    await lm2.shutdown();
  });
});
