// When a log rolls its active segment (Kafka's LogSegment.shouldRoll), how a follower's oversized append is cut to
// fit segments, and which of its oldest segments retention deletes (Kafka's deleteOldSegments predicates): pure
// decisions over a few segment facts, so they can be table-tested.

const INT32_MAX = 0x7fffffffn;

/** What the roll decision reads of the active segment (a LogSegment fits). */
export interface RollingSegment {
  readonly baseOffset: bigint;
  /** Bytes written and queued. */
  readonly sizeWithPending: number;
  /** The first batch's max timestamp, null while there is none. */
  readonly rollingBasedTimestamp: bigint | null;
  /** When the segment was created (ms). */
  readonly created: number;
  readonly offsetIndex: { isFull(): boolean };
  readonly timeIndex: { isFull(): boolean };
}

/** The append about to go into the active segment, and the limits (Kafka's RollParams). */
export interface RollParams {
  segmentBytes: number;
  segmentMs: number;
  now: number;
  messagesSize: number;
  firstOffset: bigint;
  lastOffset: bigint;
  /** The append's max timestamp (its LogAppendTime when the log uses it); -1 when none. */
  maxTimestampInMessages: bigint;
}

export type RollReason = 'segment.bytes' | 'segment.ms' | 'index full' | 'offset overflow';

/**
 * Why the active segment must roll before this append, or null: it would grow past segment.bytes, it is older than
 * segment.ms (by its first batch's timestamp when both sides have one, else by creation time), an index is full, or
 * the append's offsets do not fit its relative (int32) offsets. An empty segment never rolls.
 */
export function rollReason(seg: RollingSegment, p: RollParams): RollReason | null {
  const size = seg.sizeWithPending;
  if (size === 0) return null;
  const waited = seg.rollingBasedTimestamp !== null && p.maxTimestampInMessages >= 0n ? Number(p.maxTimestampInMessages - seg.rollingBasedTimestamp) : p.now - seg.created;
  if (size > p.segmentBytes - p.messagesSize) return 'segment.bytes';
  if (waited > p.segmentMs) return 'segment.ms';
  if (seg.offsetIndex.isFull() || seg.timeIndex.isFull()) return 'index full';
  if (p.lastOffset - seg.baseOffset > INT32_MAX || p.firstOffset < seg.baseOffset) return 'offset overflow';
  return null;
}

/** A batch of an append: where it lies in the appended buffer. */
export interface PositionedBatch {
  readonly position: number;
  readonly size: number;
}

/**
 * A follower's fetch can bring more than a segment's worth of the leader's batches (replica.fetch.max.bytes above
 * segment.bytes): the byte ranges [from, to) of consecutive runs of whole batches, each at most `segmentBytes` long
 * unless one batch alone is longer, to append one by one with rolls between them.
 */
export function segmentSizedRuns(batches: readonly PositionedBatch[], segmentBytes: number): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  let start = 0;
  while (start < batches.length) {
    const from = (batches[start] as PositionedBatch).position;
    let end = start + 1;
    while (end < batches.length && (batches[end] as PositionedBatch).position + (batches[end] as PositionedBatch).size - from <= segmentBytes) end++;
    const last = batches[end - 1] as PositionedBatch;
    runs.push({ from, to: last.position + last.size });
    start = end;
  }
  return runs;
}

/** What the retention decision reads of a segment (a LogSegment fits). */
export interface RetainedSegment {
  readonly baseOffset: bigint;
  readonly size: number;
  /** The largest record timestamp (or the file's mtime); read only when time retention applies. */
  largestTimestamp(): bigint;
}

export interface RetentionParams {
  now: number;
  /** retention.ms; negative: no time limit. */
  retentionMs: number;
  /** retention.bytes; negative: no size limit. */
  retentionBytes: number;
  /** cleanup.policy includes delete (time and size limits apply only then). */
  deletePolicy: boolean;
  highWatermark: bigint;
  logStartOffset: bigint;
}

/**
 * How many of the oldest segments retention deletes (never the active, last one): each in turn while it is past
 * retention.ms, or the log is still over retention.bytes without it, or it lies wholly below the log start offset,
 * and only while it lies wholly below the high watermark. Stops at the first segment that stays.
 */
export function deletableSegmentCount(segments: readonly RetainedSegment[], p: RetentionParams): number {
  let sizeExcess = p.retentionBytes >= 0 ? segments.reduce((s, g) => s + g.size, 0) - p.retentionBytes : -1;
  let count = 0;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i] as RetainedSegment;
    const next = segments[i + 1] as RetainedSegment;
    // Kafka's shouldDelete: a segment goes only once the HW covers it (every ISR member has it), whatever the
    // policy says; above the HW, a lagging follower may still need it, and deleting it would let the log start
    // (and a follower restarting there) run past records no other replica holds.
    if (next.baseOffset > p.highWatermark) break;
    const belowStart = next.baseOffset <= p.logStartOffset;
    const expired = p.deletePolicy && p.retentionMs >= 0 && p.now - Number(seg.largestTimestamp()) > p.retentionMs;
    const tooBig = p.deletePolicy && p.retentionBytes >= 0 && sizeExcess - seg.size >= 0;
    if (!(belowStart || expired || tooBig)) break;
    sizeExcess -= seg.size;
    count++;
  }
  return count;
}
