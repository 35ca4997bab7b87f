// Table tests for the log's pure segment decisions: when the active segment rolls, how an oversized follower append
// is cut into runs, and how many old segments retention deletes.
import { deletableSegmentCount, rollReason, segmentSizedRuns, type RetainedSegment, type RetentionParams, type RollParams, type RollingSegment } from '../../../src/log/segmentPolicies';

describe('rollReason (Kafka shouldRoll)', () => {
  const notFull = { isFull: () => false };
  const full = { isFull: () => true };
  const seg = (o: Partial<RollingSegment> = {}): RollingSegment => ({
    baseOffset: 100n,
    sizeWithPending: 500,
    rollingBasedTimestamp: 10_000n,
    created: 50_000,
    offsetIndex: notFull,
    timeIndex: notFull,
    ...o,
  });
  const append = (o: Partial<RollParams> = {}): RollParams => ({
    segmentBytes: 1000,
    segmentMs: 60_000,
    now: 60_000,
    messagesSize: 100,
    firstOffset: 110n,
    lastOffset: 119n,
    maxTimestampInMessages: 20_000n,
    ...o,
  });

  it.each<[string, RollingSegment, RollParams, string | null]>([
    ['nothing due', seg(), append(), null],
    ['empty segment never rolls, even when everything else is due', seg({ sizeWithPending: 0, offsetIndex: full }), append({ messagesSize: 5000, now: 10_000_000 }), null],
    ['exactly fills segment.bytes: stays', seg({ sizeWithPending: 900 }), append({ messagesSize: 100 }), null],
    ['one byte past segment.bytes', seg({ sizeWithPending: 901 }), append({ messagesSize: 100 }), 'segment.bytes'],
    ['by record time: exactly segment.ms stays', seg(), append({ maxTimestampInMessages: 70_000n }), null],
    ['by record time: past segment.ms', seg(), append({ maxTimestampInMessages: 70_001n }), 'segment.ms'],
    ['record time wins over a long wall-clock age', seg(), append({ now: 10_000_000 }), null],
    ['no timestamp in the append: wall clock since creation', seg(), append({ maxTimestampInMessages: -1n, now: 110_001 }), 'segment.ms'],
    ['no first-batch timestamp: wall clock since creation', seg({ rollingBasedTimestamp: null }), append({ now: 110_000 }), null],
    ['offset index full', seg({ offsetIndex: full }), append(), 'index full'],
    ['time index full', seg({ timeIndex: full }), append(), 'index full'],
    ['last offset beyond int32 from the base', seg(), append({ lastOffset: 100n + 0x80000000n }), 'offset overflow'],
    ['last offset at int32 max from the base', seg(), append({ lastOffset: 100n + 0x7fffffffn }), null],
    ['first offset below the base (follower copying a leader)', seg(), append({ firstOffset: 99n }), 'offset overflow'],
    ['size is checked before age', seg({ sizeWithPending: 999 }), append({ maxTimestampInMessages: 1_000_000n }), 'segment.bytes'],
  ])('%s', (_name, s, p, want) => {
    expect(rollReason(s, p)).toBe(want);
  });
});

describe('segmentSizedRuns', () => {
  /** Batches of the given sizes laid end to end from position 0. */
  const laid = (sizes: number[]): Array<{ position: number; size: number }> => {
    let position = 0;
    return sizes.map((size) => ({ position: (position += size) - size, size }));
  };

  it.each<[string, number[], number, Array<[number, number]>]>([
    ['all fit in one run', [100, 100, 100], 300, [[0, 300]]],
    ['cut where the next batch would pass the limit', [100, 100, 100], 250, [[0, 200], [200, 300]]],
    ['a batch alone bigger than the limit is its own run', [100, 400, 100], 250, [[0, 100], [100, 500], [500, 600]]],
    ['one batch per run', [100, 100, 100], 100, [[0, 100], [100, 200], [200, 300]]],
    ['no batches, no runs', [], 100, []],
  ])('%s', (_name, sizes, limit, want) => {
    expect(segmentSizedRuns(laid(sizes), limit).map((r) => [r.from, r.to])).toEqual(want);
  });
});

describe('deletableSegmentCount (retention)', () => {
  /** Segments based at 0, 100, 200, ... of `size` bytes each, with the given largest timestamps; the last is active. */
  const segs = (timestamps: number[], size = 100): RetainedSegment[] =>
    timestamps.map((t, i) => ({ baseOffset: BigInt(i * 100), size, largestTimestamp: () => BigInt(t) }));
  const params = (o: Partial<RetentionParams> = {}): RetentionParams => ({
    now: 10_000,
    retentionMs: -1,
    retentionBytes: -1,
    deletePolicy: true,
    highWatermark: 400n,
    logStartOffset: 0n,
    ...o,
  });

  it.each<[string, RetainedSegment[], RetentionParams, number]>([
    ['no limits', segs([0, 0, 0, 0]), params(), 0],
    ['a single (active) segment is never deleted', segs([0]), params({ retentionMs: 0, retentionBytes: 0, logStartOffset: 1000n }), 0],
    ['time: the expired prefix goes', segs([1000, 2000, 9000, 9500]), params({ retentionMs: 5000 }), 2],
    ['time: exactly retention.ms old stays', segs([5000, 9000, 9500]), params({ retentionMs: 5000 }), 0],
    ['time: stops at the first segment that stays', segs([1000, 9000, 1000, 1000]), params({ retentionMs: 5000 }), 1],
    ['time: never the active segment', segs([0, 0, 0]), params({ retentionMs: 5000, highWatermark: 1000n }), 2],
    ['size: drop oldest until within retention.bytes', segs([0, 0, 0, 0]), params({ retentionBytes: 250 }), 1],
    ['size: exactly at the limit keeps everything', segs([0, 0, 0]), params({ retentionBytes: 300 }), 0],
    ['size: retention.bytes 0 leaves only the active', segs([0, 0, 0, 0]), params({ retentionBytes: 0 }), 3],
    ['below the log start, whatever the policy', segs([9000, 9000, 9000]), params({ deletePolicy: false, retentionMs: 1, retentionBytes: 0, logStartOffset: 150n }), 1],
    ['log start at a segment base: the segment before it goes', segs([9000, 9000, 9000]), params({ logStartOffset: 200n }), 2],
    ['compact-only policy ignores time and size', segs([0, 0, 0]), params({ deletePolicy: false, retentionMs: 1, retentionBytes: 0 }), 0],
    ['only segments wholly below the high watermark', segs([0, 0, 0, 0]), params({ retentionMs: 1, highWatermark: 150n }), 1],
    ['high watermark at a base covers the segment before it', segs([0, 0, 0, 0]), params({ retentionMs: 1, highWatermark: 200n }), 2],
    ['high watermark inside the first segment: nothing', segs([0, 0, 0]), params({ retentionMs: 1, retentionBytes: 0, logStartOffset: 300n, highWatermark: 50n }), 0],
  ])('%s', (_name, s, p, want) => {
    expect(deletableSegmentCount(s, p)).toBe(want);
  });

  it('reads no timestamp when time retention does not apply', () => {
    const s: RetainedSegment[] = [0, 1, 2].map((i) => ({ baseOffset: BigInt(i * 100), size: 100, largestTimestamp: () => { throw new Error('read'); } }));
    expect(deletableSegmentCount(s, params({ retentionBytes: 100 }))).toBe(2);
    expect(() => deletableSegmentCount(s, params({ retentionMs: 1 }))).toThrow('read');
  });
});
