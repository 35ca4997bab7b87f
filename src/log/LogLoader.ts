// Opening a partition's log directory (Kafka 2.8's LogLoader): leftover files of interrupted deletes and checkpoint
// writes, interrupted compaction swaps, crash recovery of the unflushed tail, and the offsets the Log starts with.
import * as fs from 'fs';
import * as path from 'path';
import type { Logger } from '../util/logger';
import { fsyncDirSync } from './checkpoints';
import type { LeaderEpochFileCache } from './LeaderEpochFileCache';
import type { LogConfig } from './LogConfig';
import { CLEANED_SUFFIX, DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, SWAP_SUFFIX, TIME_INDEX_SUFFIX } from './LogSegment';
import { TXN_INDEX_SUFFIX } from './TransactionIndex';

export interface LogLoaderParams {
  dir: string;
  config: LogConfig;
  now: number;
  /** false after a crash: segments from the recovery point on are validated batch by batch. */
  hadCleanShutdown: boolean;
  /** The checkpointed offsets (0 when a checkpoint has no entry). */
  recoveryPoint: bigint;
  logStartOffset: bigint;
  highWatermark: bigint;
  /** The partition's epoch cache: recovery rebuilds epochs from batch headers, and it is trimmed to the log. */
  leaderEpochCache: LeaderEpochFileCache;
  logger: Logger;
}

/** What a Log is built from: its segments (oldest first, never empty) and its offsets, consistent with them. */
export interface LoadedLog {
  segments: LogSegment[];
  logEndOffset: bigint;
  logStartOffset: bigint;
  recoveryPoint: bigint;
  highWatermark: bigint;
  /**
   * Base offset of the first segment crash recovery validated (its .txnindex and those after it were emptied): the
   * producer state rebuilds their entries from the markers at and above it. Null when nothing was recovered.
   */
  txnIndexRebuildFrom: bigint | null;
}

export class LogLoader {
  private readonly dir: string;
  private readonly logger: Logger;
  private segments: LogSegment[] = [];
  private recoveredFrom: bigint | null = null;

  constructor(private readonly params: LogLoaderParams) {
    this.dir = params.dir;
    this.logger = params.logger;
  }

  /**
   * Synchronous I/O: meant for start-up, where LogManager loads many logs. After an unclean shutdown, segments from
   * the one holding the recovery point onwards are validated and a torn or corrupt tail is truncated (later segments
   * are dropped), with the lost offsets logged.
   */
  loadSync(): LoadedLog {
    const { config, now, hadCleanShutdown: clean } = this.params;
    const swapped = this.completeSwapsSync();
    const bases: bigint[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const full = path.join(this.dir, name);
      if (name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX) || name.endsWith(SWAP_SUFFIX) || name.endsWith('.tmp')) {
        fs.rmSync(full, { force: true }); // leftovers of an interrupted delete or checkpoint write
        continue;
      }
      const m = /^(\d{20})\.log$/.exec(name);
      if (m) bases.push(BigInt(m[1] as string));
      else if (name.endsWith(INDEX_SUFFIX) || name.endsWith(TIME_INDEX_SUFFIX) || name.endsWith(TXN_INDEX_SUFFIX)) {
        const base = name.slice(0, 20);
        if (!fs.existsSync(path.join(this.dir, base + LOG_SUFFIX))) fs.rmSync(full, { force: true }); // orphan index
      }
    }
    bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const idx = config['segment.index.bytes'];
    const interval = config['index.interval.bytes'];
    this.segments = bases.map((b) => LogSegment.openSync(this.dir, b, interval, idx, now));
    this.dropReplacedSegmentsSync(swapped);

    if (!clean) this.recoverSync();
    if (this.segments.length === 0) {
      this.segments.push(LogSegment.createSync(this.dir, this.params.logStartOffset, interval, idx, now));
    }
    const leo = (this.segments[this.segments.length - 1] as LogSegment).nextOffset;
    const first = this.segments[0] as LogSegment;
    let { logStartOffset, recoveryPoint, highWatermark } = this.params;
    if (logStartOffset < first.baseOffset) logStartOffset = first.baseOffset;
    if (logStartOffset > leo) logStartOffset = leo;
    if (recoveryPoint > leo) recoveryPoint = leo;
    if (clean) recoveryPoint = leo; // a clean shutdown flushed everything
    if (highWatermark > leo) highWatermark = leo;
    if (highWatermark < logStartOffset) highWatermark = logStartOffset;
    this.params.leaderEpochCache.truncateFromEnd(leo);
    this.params.leaderEpochCache.truncateFromStart(logStartOffset);
    const rebuildFrom = this.recoveredFrom !== null && this.segments.some((s) => s.baseOffset === this.recoveredFrom) ? this.recoveredFrom : null;
    return { segments: this.segments, logEndOffset: leo, logStartOffset, recoveryPoint, highWatermark, txnIndexRebuildFrom: rebuildFrom };
  }

  /**
   * Finishes or rolls back a clean interrupted by a crash (see replaceSegments in SegmentSwap.ts for the order of its
   * renames). A clean is committed once all its outputs are `.swap` files: those left with a `.cleaned` file below
   * them were still being renamed, so that clean is rolled back (its `.swap` files removed here, `.cleaned` ones by
   * the caller). The other `.swap` files replace the `.log` of their name (whose indexes are stale and go); the old
   * segments they cover under other names are removed by {@link dropReplacedSegmentsSync}. Returns the base offsets of
   * the completed swaps.
   */
  private completeSwapsSync(): Set<bigint> {
    const names = fs.readdirSync(this.dir);
    let minCleaned: bigint | null = null;
    for (const name of names) {
      if (!/^\d{20}\.log\.cleaned$/.test(name)) continue;
      const b = BigInt(name.slice(0, 20));
      if (minCleaned === null || b < minCleaned) minCleaned = b;
    }
    const swapped = new Set<bigint>();
    for (const name of names) {
      if (!/^\d{20}\.log\.swap$/.test(name)) continue;
      const base = BigInt(name.slice(0, 20));
      if (minCleaned !== null && base >= minCleaned) {
        fs.rmSync(path.join(this.dir, name), { force: true });
        this.logger.info({ segment: name.slice(0, 20) }, 'rolled back a clean interrupted before it was committed');
        continue;
      }
      const prefix = path.join(this.dir, name.slice(0, 20));
      for (const f of [prefix + INDEX_SUFFIX, prefix + TIME_INDEX_SUFFIX]) fs.rmSync(f, { force: true });
      // The cleaned segment's aborted transactions (those of the segments it replaced) cannot be rebuilt from its
      // own data: they travel as `.txnindex.swap` (see replaceSegments). Without one, a `.txnindex` under this name is
      // already the cleaned one (renamed before the crash), or the old segments had no aborted transaction either.
      const txnSwap = prefix + TXN_INDEX_SUFFIX + SWAP_SUFFIX;
      if (fs.existsSync(txnSwap)) fs.renameSync(txnSwap, prefix + TXN_INDEX_SUFFIX);
      fs.renameSync(path.join(this.dir, name), prefix + LOG_SUFFIX);
      this.logger.info({ segment: name.slice(0, 20) }, 'completed an interrupted compaction swap');
      swapped.add(base);
    }
    if (swapped.size > 0 || minCleaned !== null) fsyncDirSync(this.dir);
    return swapped;
  }

  /**
   * After completed swaps: the old segments of that clean still under their own names (the crash came before they
   * were renamed .deleted) are those starting inside the range the swapped-in segments cover; they go. At most one
   * clean is ever in flight, so all swapped segments belong to the same group.
   */
  private dropReplacedSegmentsSync(swapped: Set<bigint>): void {
    if (swapped.size === 0) return;
    const cleaned = this.segments.filter((s) => swapped.has(s.baseOffset));
    const from = (cleaned[0] as LogSegment).baseOffset;
    const to = (cleaned[cleaned.length - 1] as LogSegment).nextOffset;
    const stale = this.segments.filter((s) => !swapped.has(s.baseOffset) && s.baseOffset >= from && s.baseOffset < to);
    for (const s of stale) {
      removeSegmentSync(s);
      this.logger.info({ segment: s.baseOffset.toString() }, 'removed a segment replaced by an interrupted compaction swap');
    }
    if (stale.length > 0) {
      this.segments = this.segments.filter((s) => !stale.includes(s));
      fsyncDirSync(this.dir);
    }
  }

  private recoverSync(): void {
    // Kafka recovers from the segment holding the recovery point.
    let startIdx = 0;
    for (let i = 0; i < this.segments.length; i++) if ((this.segments[i] as LogSegment).baseOffset <= this.params.recoveryPoint) startIdx = i;
    // The epoch checkpoint is written asynchronously after the first append of an epoch: rebuild what it may lack
    // from the batch headers (Kafka's LogSegment.recover), so OffsetForLeaderEpoch answers the epochs on disk.
    const cache = this.params.leaderEpochCache;
    const onBatch = (baseOffset: bigint, epoch: number): void => {
      if (epoch >= 0 && epoch > cache.latestEpoch()) cache.assign(epoch, baseOffset);
    };
    if (startIdx < this.segments.length) this.recoveredFrom = (this.segments[startIdx] as LogSegment).baseOffset;
    for (let i = startIdx; i < this.segments.length; i++) {
      const seg = this.segments[i] as LogSegment;
      const r = seg.recoverSync(onBatch);
      if (r.truncatedBytes > 0) {
        const dropped = this.segments.slice(i + 1);
        const lostEnd = dropped.length > 0 ? (dropped[dropped.length - 1] as LogSegment).nextOffset : seg.nextOffset;
        this.logger.warn(
          { segment: seg.baseOffset.toString(), position: r.validBytes, truncatedBytes: r.truncatedBytes, firstLostOffset: (r.firstLostOffset ?? seg.nextOffset).toString(), reason: r.reason, droppedSegments: dropped.length, lostUpTo: lostEnd.toString() },
          `recovery truncated an invalid tail: offsets from ${r.firstLostOffset ?? seg.nextOffset} lost`,
        );
        for (const d of dropped) removeSegmentSync(d);
        this.segments = this.segments.slice(0, i + 1);
        break;
      }
    }
  }
}

/** Closes a segment without flushing and removes its files (it is being dropped at load). */
function removeSegmentSync(s: LogSegment): void {
  s.closeSyncNoFlush();
  for (const f of s.files()) fs.rmSync(f, { force: true });
}
