// ListOffsets v0 at the log level (Kafka's Log.legacyFetchOffsetsBefore): segment base offsets by the .log file's
// last-modified time, plus the LEO at "now", newest first and at most maxNumOffsets of them.
import * as fs from 'fs';
import * as path from 'path';
import type { Log } from '../../../src/log/Log';
import { FakeClock, batch, leader, openLog, tmpDir } from './helpers';

const NOW = 5_000_000;
let dir: string;
let log: Log;

beforeEach(() => {
  dir = tmpDir();
});
afterEach(async () => {
  await log.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sets each segment's .log mtime, oldest segment first (ms; whole seconds so every file system keeps them exactly). */
function setSegmentTimes(...mtimesMs: number[]): void {
  // The log's live segments (a deleted one may still be on its way to a .deleted name).
  const files = log.segmentBaseOffsets().map((b) => `${b.toString().padStart(20, '0')}.log`);
  expect(files).toHaveLength(mtimesMs.length);
  files.forEach((f, i) => fs.utimesSync(path.join(log.dir, f), new Date(mtimesMs[i] ?? 0), new Date(mtimesMs[i] ?? 0)));
}

/** Segments at 0, 10 and 20 (10 records each, the last one active) and LEO 30. */
async function threeSegments(): Promise<void> {
  log = openLog(dir, { 'segment.bytes': 300 }, { clock: new FakeClock(NOW) });
  for (let i = 0; i < 3; i++) await log.append(batch(10, 10, 1000n, i), leader);
  expect(log.segmentBaseOffsets()).toEqual([0n, 10n, 20n]);
  expect(log.logEndOffset).toBe(30n);
  setSegmentTimes(1_000_000, 2_000_000, 3_000_000);
}

describe('Log.legacyFetchOffsetsBefore', () => {
  it('latest (-1): the LEO, then the segment bases, newest first, cut to maxNumOffsets', async () => {
    await threeSegments();
    expect(log.legacyFetchOffsetsBefore(-1n, 10)).toEqual([30n, 20n, 10n, 0n]);
    expect(log.legacyFetchOffsetsBefore(-1n, 2)).toEqual([30n, 20n]);
    expect(log.legacyFetchOffsetsBefore(-1n, 1)).toEqual([30n]);
    expect(log.legacyFetchOffsetsBefore(-1n, 0)).toEqual([]);
  });

  it('earliest (-2): the first segment base alone, whatever maxNumOffsets', async () => {
    await threeSegments();
    expect(log.legacyFetchOffsetsBefore(-2n, 10)).toEqual([0n]);
    expect(log.legacyFetchOffsetsBefore(-2n, 1)).toEqual([0n]);
  });

  it('a timestamp: the segments last modified at or before it, newest first', async () => {
    await threeSegments();
    expect(log.legacyFetchOffsetsBefore(2_500_000n, 10)).toEqual([10n, 0n]);
    expect(log.legacyFetchOffsetsBefore(2_500_000n, 1)).toEqual([10n]);
    expect(log.legacyFetchOffsetsBefore(2_000_000n, 10)).toEqual([10n, 0n]); // equal counts
    expect(log.legacyFetchOffsetsBefore(1_999_999n, 10)).toEqual([0n]);
    expect(log.legacyFetchOffsetsBefore(4_000_000n, 10)).toEqual([20n, 10n, 0n]);
    // The LEO stands at the clock's "now".
    expect(log.legacyFetchOffsetsBefore(BigInt(NOW) - 1n, 10)).toEqual([20n, 10n, 0n]);
    expect(log.legacyFetchOffsetsBefore(BigInt(NOW), 10)).toEqual([30n, 20n, 10n, 0n]);
    // Older than every segment: nothing.
    expect(log.legacyFetchOffsetsBefore(999_999n, 10)).toEqual([]);
  });

  it('the walk stops at the newest point at or before the time and takes every older one, whatever its own time', async () => {
    await threeSegments();
    setSegmentTimes(3_000_000, 1_000_000, 2_000_000);
    // Kafka walks back from the newest point to the first one at or before the time, then takes everything below it.
    expect(log.legacyFetchOffsetsBefore(2_500_000n, 10)).toEqual([20n, 10n, 0n]);
    expect(log.legacyFetchOffsetsBefore(1_500_000n, 10)).toEqual([10n, 0n]);
  });

  it('a segment below the log start offset counts as the log start offset', async () => {
    await threeSegments();
    log.updateHighWatermark(30n);
    await log.deleteRecordsBefore(15n);
    expect(log.segmentBaseOffsets()).toEqual([10n, 20n]);
    setSegmentTimes(2_000_000, 3_000_000);
    expect(log.legacyFetchOffsetsBefore(-2n, 10)).toEqual([15n]);
    expect(log.legacyFetchOffsetsBefore(-1n, 10)).toEqual([30n, 20n, 15n]);
    expect(log.legacyFetchOffsetsBefore(2_000_000n, 10)).toEqual([15n]);
  });

  it('an empty active segment adds no LEO point', async () => {
    log = openLog(dir, {}, { clock: new FakeClock(NOW) });
    setSegmentTimes(1_000_000);
    expect(log.legacyFetchOffsetsBefore(-1n, 10)).toEqual([0n]);
    expect(log.legacyFetchOffsetsBefore(-2n, 10)).toEqual([0n]);
    expect(log.legacyFetchOffsetsBefore(BigInt(NOW), 10)).toEqual([0n]);
    expect(log.legacyFetchOffsetsBefore(999_999n, 10)).toEqual([]);
  });
});
