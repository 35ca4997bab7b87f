// Reads across a log's segments (Kafka's LocalLog.read and UnifiedLog's offset lookups): fetch, ListOffsets by
// record timestamp and ListOffsets v0. Functions over the segments and bounds the Log hands in; no log state here.
import * as fs from 'fs';
import { BATCH_HEADER_SIZE } from '../protocol/record/batch-header';
import { floorIndex } from '../util/binarySearch';
import type { LeaderEpochFileCache } from './LeaderEpochFileCache';
import type { LogSegment, TimestampLookup } from './LogSegment';
import { outOfRange } from './errors';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, type ReadOptions } from './LogTypes';

/** The log as one read sees it. */
export interface SegmentsView {
  /** Oldest first: a copy, since the log may roll or swap segments while the read awaits. */
  segments: readonly LogSegment[];
  logStartOffset: bigint;
  /** The published log end offset. */
  logEndOffset: bigint;
  /** Wraps a disk read, so a failure takes the log offline. */
  io: <T>(p: Promise<T>) => Promise<T>;
}

/** Index of the segment holding `offset` (the last one based at or below it), or -1. */
export function floorSegmentIndex(segments: readonly LogSegment[], offset: bigint): number {
  return floorIndex(segments.length, (i) => (segments[i] as LogSegment).baseOffset <= offset);
}

/**
 * Whole batches from `startOffset`, up to `maxBytes` (at least one batch unless `minOneBatch` is false) and below
 * `maxOffset` (at most the LEO), spanning segments if needed. OFFSET_OUT_OF_RANGE outside [logStartOffset, LEO].
 */
export async function readRange(v: SegmentsView, topicPartition: string, startOffset: bigint, maxBytes: number, opts: ReadOptions): Promise<{ records: Buffer; firstOffset: bigint; nextOffset: bigint }> {
  const leo = v.logEndOffset;
  if (startOffset < v.logStartOffset || startOffset > leo) {
    throw outOfRange(`offset ${startOffset} outside [${v.logStartOffset}, ${leo}] of ${topicPartition}`);
  }
  const maxOffset = opts.maxOffset !== undefined && opts.maxOffset < leo ? opts.maxOffset : leo;
  const empty = { records: Buffer.alloc(0), firstOffset: startOffset, nextOffset: startOffset };
  if (startOffset >= maxOffset) return empty;
  const segs = v.segments;
  let minOne = opts.minOneBatch ?? true;
  let i = floorSegmentIndex(segs, startOffset);
  if (i < 0) i = 0;
  const parts: Buffer[] = [];
  let remaining = maxBytes;
  let first: bigint | null = null;
  let next = startOffset;
  for (; i < segs.length; i++) {
    const seg = segs[i] as LogSegment;
    // The active segment may hold queued bytes beyond the published LEO; bound by what is published.
    const r = await v.io(seg.read(next, remaining, maxOffset, minOne, undefined, opts.alloc));
    if (r === null) continue;
    if (r.records.length === 0) break;
    if (first === null) first = r.first.baseOffset;
    parts.push(r.records);
    remaining -= r.records.length;
    next = r.nextOffset;
    minOne = false;
    // Move on to the next segment only when this one was read to its end.
    const following = segs[i + 1];
    if (remaining <= BATCH_HEADER_SIZE || next >= maxOffset || !following || next < following.baseOffset) break;
  }
  if (parts.length === 0) return empty;
  return { records: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), firstOffset: first ?? startOffset, nextOffset: next };
}

/**
 * ListOffsets: -1 → LEO, -2 → log start offset (each with its leader epoch), otherwise Kafka's record-level lookup:
 * the first record at or after the log start whose timestamp >= ts, with its own offset, timestamp and batch leader
 * epoch; null when none. Kafka searches only the first segment whose largest timestamp reaches ts and answers
 * nothing if that segment's matches all sit below the log start; later segments are searched here, so such records
 * are not skipped.
 */
export async function fetchOffsetByTimestamp(v: SegmentsView, epochs: LeaderEpochFileCache, ts: bigint): Promise<TimestampLookup | null> {
  const { segments: segs, logStartOffset, logEndOffset: leo } = v;
  if (ts === LATEST_TIMESTAMP) return { offset: leo, timestamp: -1n, leaderEpoch: epochs.latestEpoch() };
  if (ts === EARLIEST_TIMESTAMP) return { offset: logStartOffset, timestamp: -1n, leaderEpoch: epochs.floorEntry(logStartOffset)?.epoch ?? -1 };
  if (ts === MAX_TIMESTAMP) return fetchOffsetOfMaxTimestamp(v, epochs);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as LogSegment;
    if (seg.baseOffset >= leo) break;
    const next = segs[i + 1];
    if (next && next.baseOffset <= logStartOffset) continue;
    if (seg.largestTimestamp() < ts) continue;
    const r = await v.io(seg.findOffsetByTimestamp(ts, logStartOffset));
    if (r) return r.offset < leo ? r : null;
  }
  return null;
}

/**
 * ListOffsets v7's MAX_TIMESTAMP (KIP-734) as Kafka 3.8 answers it (KAFKA-16310): the first record, in offset order,
 * carrying the largest timestamp of the log, with its own offset and its batch's leader epoch; on a tie the earlier
 * record wins (Kafka takes the first segment with that maximum, then the first record reaching it). No record is
 * larger, so the by-timestamp search for that maximum finds exactly this record. Null on a log without timestamps.
 */
async function fetchOffsetOfMaxTimestamp(v: SegmentsView, epochs: LeaderEpochFileCache): Promise<TimestampLookup | null> {
  let max = -1n;
  for (let i = 0; i < v.segments.length; i++) {
    const seg = v.segments[i] as LogSegment;
    if (seg.baseOffset >= v.logEndOffset) break;
    // Whole segments below the log start are deleted records (a partly deleted one still counts, as in Kafka).
    const next = v.segments[i + 1];
    if (next && next.baseOffset <= v.logStartOffset) continue;
    seg.ensureLoaded();
    if (seg.maxTimestampSoFar > max) max = seg.maxTimestampSoFar;
  }
  return max < 0n ? null : fetchOffsetByTimestamp(v, epochs, max);
}

/**
 * ListOffsets v0 (Kafka's legacyFetchOffsetsBefore): each segment stands for its base offset (at least the log
 * start) at its .log file's last-modified time, and a non-empty active segment adds the LEO at `now`. Answers up to
 * `maxNumOffsets` of these, newest first, starting from the last one at or before `timestamp`; -1 starts from the
 * newest, -2 from the oldest (so it answers that one alone).
 */
export function legacyOffsetsBefore(v: Omit<SegmentsView, 'io'>, now: number, timestamp: bigint, maxNumOffsets: number): bigint[] {
  const points = v.segments.map((s) => ({
    offset: s.baseOffset > v.logStartOffset ? s.baseOffset : v.logStartOffset,
    time: BigInt(Math.floor(fs.statSync(s.logFile).mtimeMs)),
  }));
  const active = v.segments[v.segments.length - 1] as LogSegment;
  if (active.size > 0) points.push({ offset: v.logEndOffset, time: BigInt(now) });
  let start = points.length - 1;
  if (timestamp === EARLIEST_TIMESTAMP) start = 0;
  else if (timestamp !== LATEST_TIMESTAMP) while (start >= 0 && (points[start] as { time: bigint }).time > timestamp) start--;
  const count = Math.max(0, Math.min(maxNumOffsets, start + 1));
  // Offsets ascend with the index, so walking down from `start` is already newest first.
  return points
    .slice(start + 1 - count, start + 1)
    .map((p) => p.offset)
    .reverse();
}
