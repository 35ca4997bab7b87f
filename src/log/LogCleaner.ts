// The log cleaner (Kafka's LogCleaner and LogCleanerManager): picks the compacted log with the highest dirty ratio,
// has the Cleaner (Cleaner.ts) clean it, and remembers per log dir where every log's dirty part starts
// (cleaner-offset-checkpoint).
import { tpKey } from '../util/types';
import * as path from 'path';
import { AsyncLock } from '../util/AsyncLock';
import { floorIndex } from '../util/binarySearch';
import { Logger, moduleLogger } from '../util/logger';
import { OffsetCheckpointFile } from './checkpoints';
import { Cleaner, CleaningAbortedError, overlapping, type CleanRange, type CleanResult, type CleanerConfig } from './Cleaner';
import type { Log } from './Log';
import type { LogSegment } from './LogSegment';

export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

// ---- which offsets to clean (LogCleanerManager) -------------------------------------------------------------------

/** Base offset of the segment holding `offset` (the first segment's base when below it). */
function floorBase(segs: readonly LogSegment[], offset: bigint): bigint {
  const i = floorIndex(segs.length, (j) => (segs[j] as LogSegment).baseOffset <= offset);
  return (segs[i < 0 ? 0 : i] as LogSegment).baseOffset;
}

export interface LogToClean extends CleanRange {
  cleanBytes: number;
  cleanableBytes: number;
  totalBytes: number;
  cleanableRatio: number;
  /** max.compaction.lag.ms has passed for a dirty segment: clean whatever the ratio. */
  needCompactionNow: boolean;
  /** The checkpointed offset was outside the log and was reset (Kafka's forceUpdateCheckpoint). */
  checkpointReset: boolean;
}

/**
 * Kafka's cleanableOffsets and LogToClean. The dirty part starts at the checkpoint (reset to the log start when the
 * checkpoint lies outside the log) and ends, rounded down to a segment base, at the first of: the active segment, the
 * first unstable offset (an undecided transaction), the high watermark (Kafka 3.1's KAFKA-13194: data above it may still be truncated), and the first dirty segment holding
 * a record younger than min.compaction.lag.ms.
 */
export function logToClean(log: Log, checkpoint: bigint | undefined, now: number): LogToClean {
  const segs = log.logSegments();
  const active = segs[segs.length - 1] as LogSegment;
  const start = log.logStartOffset;
  let firstDirty = checkpoint ?? start;
  let checkpointReset = false;
  if (firstDirty < start || firstDirty > log.logEndOffset) {
    firstDirty = start;
    checkpointReset = checkpoint !== undefined;
  }
  const dirtyInactive = overlapping(segs, firstDirty, active.baseOffset);
  let uncleanable = active.baseOffset;
  if (log.highWatermark < uncleanable) uncleanable = log.highWatermark;
  // Undecided transactions stay dirty: whether their records win depends on the marker to come (Kafka 2.8).
  const firstUnstable = log.firstUnstableOffset;
  if (firstUnstable !== null && firstUnstable < uncleanable) uncleanable = firstUnstable;
  const minLag = log.config['min.compaction.lag.ms'];
  if (minLag > 0) {
    const young = dirtyInactive.find((s) => Number(s.largestTimestamp()) > now - minLag);
    if (young && young.baseOffset < uncleanable) uncleanable = young.baseOffset;
  }
  const firstUncleanable = floorBase(segs, uncleanable);
  const sizeOf = (xs: LogSegment[]): number => xs.reduce((n, s) => n + s.size, 0);
  const cleanBytes = sizeOf(overlapping(segs, -1n, firstDirty));
  const cleanableBytes = sizeOf(overlapping(segs, firstDirty < firstUncleanable ? firstDirty : firstUncleanable, firstUncleanable));
  const totalBytes = cleanBytes + cleanableBytes;
  // max.compaction.lag.ms, by the first batch of each dirty segment (Kafka's maxCompactionDelay).
  const maxLag = log.config['max.compaction.lag.ms'];
  let needCompactionNow = false;
  if (maxLag < now) for (const s of dirtyInactive) {
    void s.nextOffset; // loads the segment, which reads its first batch's timestamp
    const first = s.rollingBasedTimestamp;
    if (first !== null && first > 0n && Number(first) < now - maxLag) needCompactionNow = true;
  }
  return {
    log,
    firstDirtyOffset: firstDirty,
    firstUncleanableOffset: firstUncleanable,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    cleanableRatio: totalBytes > 0 ? cleanableBytes / totalBytes : 0,
    needCompactionNow,
    checkpointReset,
  };
}

/** Kafka's rule: dirty enough (strictly above min.cleanable.dirty.ratio), or overdue with something to clean. */
export function isCleanable(ltc: LogToClean): boolean {
  if (ltc.totalBytes <= 0) return false;
  return (ltc.needCompactionNow && ltc.cleanableBytes > 0) || ltc.cleanableRatio > ltc.log.config['min.cleanable.dirty.ratio'];
}

/**
 * Runs a clean over `log` now, whatever its dirty ratio: from `firstDirtyOffset` (default the log start) to its first
 * uncleanable offset (see logToClean). LogCleaner picks logs by ratio and keeps the checkpoints; this is the direct
 * way in.
 */
export function compact(log: Log, opts: { now: number; firstDirtyOffset?: bigint; cleaner?: Cleaner }): Promise<CleanResult> {
  const ltc = logToClean(log, opts.firstDirtyOffset, opts.now);
  return (opts.cleaner ?? new Cleaner()).clean(ltc, opts.now);
}

// ---- which log to clean, and the checkpoints (LogCleanerManager + the cleaner thread) ------------------------------

export interface CleanableLog {
  log: Log;
  /** The log dir holding it (whose cleaner-offset-checkpoint has its entry). */
  logDir: string;
}

export interface LogCleanerOptions {
  config?: Partial<CleanerConfig>;
  clock?: { now(): number };
  logger?: Logger;
  /** Called when a checkpoint cannot be written (LogManager takes the dir offline). */
  onDirFailure?: (dir: string, err: unknown) => void;
}

const logKey = (log: Log): string => tpKey(log.topic, log.partition);

/**
 * The broker's cleaner: one at a time, the dirtiest compacted log above its min.cleanable.dirty.ratio is cleaned,
 * and its new first dirty offset goes to its dir's cleaner-offset-checkpoint.
 */
export class LogCleaner {
  private readonly cleaner: Cleaner;
  private readonly clock: { now(): number };
  private readonly logger: Logger;
  /** Per log dir: `topic-partition` → first dirty offset. */
  private readonly checkpoints = new Map<string, Map<string, bigint>>();
  /** Logs whose cleaning failed unexpectedly; not cleaned again until restart (Kafka's uncleanable partitions). */
  private readonly uncleanable = new Set<Log>();
  /** Deleted logs, which a run that started before their deletion may still list. */
  private readonly removed = new WeakSet<Log>();
  private inProgress: { log: Log; done: Promise<unknown> } | null = null;
  /** One run at a time (Kafka runs one cleaner thread by default). */
  private readonly runs = new AsyncLock();
  private aborting: Log | null = null;
  private stopped = false;
  /** The dirtiest log's ratio at the last selection (Kafka's max-dirty-percent). */
  maxDirtyRatio = 0;
  /** Figures of the last completed clean (Kafka's lastStats). */
  lastStats: CleanResult | null = null;

  constructor(private readonly opts: LogCleanerOptions = {}) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.logger = opts.logger ?? moduleLogger('log-cleaner');
    this.cleaner = new Cleaner(opts.config, { shouldAbort: () => this.stopped || (this.inProgress !== null && this.aborting === this.inProgress.log), logger: this.logger });
  }

  /** Reads a dir's cleaner-offset-checkpoint; an unreadable one is ignored (every log is then cleaned from its start). */
  loadCheckpoints(dir: string): void {
    try {
      this.checkpoints.set(dir, new OffsetCheckpointFile(path.join(dir, CLEANER_OFFSET_CHECKPOINT)).readMapSync());
    } catch (e) {
      this.logger.warn({ err: e, dir }, 'unreadable cleaner-offset-checkpoint ignored');
      this.checkpoints.set(dir, new Map());
    }
  }

  /** The checkpointed first dirty offset of a log, if any. */
  checkpointOf(log: Log, dir: string): bigint | undefined {
    return this.checkpoints.get(dir)?.get(logKey(log));
  }

  private async writeCheckpoint(dir: string, live: ReadonlySet<string>, update?: { log: Log; offset: bigint }): Promise<void> {
    let entries = this.checkpoints.get(dir);
    if (!entries) this.checkpoints.set(dir, (entries = new Map()));
    if (update) entries.set(logKey(update.log), update.offset);
    for (const k of [...entries.keys()]) if (!live.has(k)) entries.delete(k); // logs gone from the dir
    const file = new OffsetCheckpointFile(path.join(dir, CLEANER_OFFSET_CHECKPOINT));
    try {
      await file.write(
        [...entries].map(([k, offset]) => {
          const i = k.lastIndexOf('-');
          return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)), offset };
        }),
      );
    } catch (e) {
      this.logger.error({ err: e, dir }, 'cannot write cleaner-offset-checkpoint');
      this.opts.onDirFailure?.(dir, e);
    }
  }

  /** Kafka's grabFilthiestCompactedLog: the cleanable compacted log with the highest dirty ratio. */
  grabFilthiestLog(logs: readonly CleanableLog[], skip: ReadonlySet<Log> = new Set()): (LogToClean & { logDir: string }) | null {
    const now = this.clock.now();
    let best: (LogToClean & { logDir: string }) | null = null;
    let maxRatio = 0;
    for (const { log, logDir } of logs) {
      if (!log.config['cleanup.policy'].includes('compact') || log.isOffline || this.uncleanable.has(log) || this.removed.has(log) || skip.has(log)) continue;
      let ltc: LogToClean;
      try {
        ltc = logToClean(log, this.checkpointOf(log, logDir), now);
      } catch (e) {
        this.markUncleanable(log, e);
        continue;
      }
      if (ltc.checkpointReset) {
        this.logger.warn({ topicPartition: logKey(log), firstDirtyOffset: ltc.firstDirtyOffset.toString() }, 'checkpointed first dirty offset outside the log: reset to the log start');
        this.checkpoints.get(logDir)?.set(logKey(log), ltc.firstDirtyOffset);
      }
      if (ltc.totalBytes > 0 && ltc.cleanableRatio > maxRatio) maxRatio = ltc.cleanableRatio;
      if (isCleanable(ltc) && (best === null || ltc.cleanableRatio > best.cleanableRatio)) best = { ...ltc, logDir };
    }
    this.maxDirtyRatio = maxRatio;
    return best;
  }

  private markUncleanable(log: Log, err: unknown): void {
    this.uncleanable.add(log);
    this.logger.warn({ err, topicPartition: logKey(log) }, 'unexpected error while cleaning: partition marked uncleanable until restart');
  }

  /**
   * The cleaner thread's loop, run to exhaustion: cleans the filthiest log, then the next, until no compacted log is
   * above its threshold (a log whose clean made no progress is not picked again in this run). Returns the number of
   * segments replaced.
   */
  cleanLogs(logs: readonly CleanableLog[]): Promise<number> {
    return this.runs.run(() => this.cleanUntilDone(logs));
  }

  private async cleanUntilDone(logs: readonly CleanableLog[]): Promise<number> {
    const live = new Map<string, Set<string>>();
    for (const { log, logDir } of logs) {
      if (!live.has(logDir)) live.set(logDir, new Set());
      (live.get(logDir) as Set<string>).add(logKey(log));
    }
    const noProgress = new Set<Log>();
    let segments = 0;
    while (!this.stopped) {
      const ltc = this.grabFilthiestLog(logs, noProgress);
      if (!ltc) break;
      const r = await this.cleanOne(ltc);
      if (r === null || r.endOffset <= ltc.firstDirtyOffset) noProgress.add(ltc.log);
      if (r) {
        segments += r.segmentsCleaned;
        await this.writeCheckpoint(ltc.logDir, live.get(ltc.logDir) ?? new Set(), { log: ltc.log, offset: r.endOffset });
      }
    }
    return segments;
  }

  private async cleanOne(ltc: LogToClean & { logDir: string }): Promise<CleanResult | null> {
    const log = ltc.log;
    const run = this.cleaner.clean(ltc, this.clock.now());
    this.inProgress = { log, done: run.catch(() => undefined) };
    try {
      const r = await run;
      this.lastStats = r;
      const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
      this.logger.info(
        {
          topicPartition: logKey(log),
          dirtySection: `[${r.firstDirtyOffset}, ${r.endOffset})`,
          ratio: Math.round(ltc.cleanableRatio * 1000) / 1000,
          mbRead: mb(r.bytesRead),
          mbPerSec: r.durationMs > 0 ? mb((r.bytesRead * 1000) / r.durationMs) : null,
          segments: `${r.segmentsCleaned} -> ${r.segmentsWritten}`,
          mbBefore: mb(r.bytesBefore),
          mbAfter: mb(r.bytesAfter),
          records: `${r.recordsRead} -> ${r.recordsKept}`,
          mapEntries: r.mapEntries,
          mapFull: r.mapFull,
          ms: r.durationMs,
        },
        'cleaned log',
      );
      return r;
    } catch (e) {
      if (e instanceof CleaningAbortedError) {
        this.logger.info({ topicPartition: logKey(log), reason: e.message }, 'cleaning aborted');
      } else if (log.isOffline) {
        // a storage error: the log (and its dir) went offline, nothing more to do here
      } else if (typeof (e as NodeJS.ErrnoException)?.syscall === 'string' && (e as NodeJS.ErrnoException).code !== 'ENOENT') {
        // The disk failed the cleaner (EIO, ENOSPC...): Kafka takes the log dir offline on such an IOException.
        this.logger.error({ err: e, topicPartition: logKey(log), dir: ltc.logDir }, 'disk error while cleaning');
        this.opts.onDirFailure?.(ltc.logDir, e);
      } else this.markUncleanable(log, e);
      return null;
    } finally {
      this.inProgress = null;
    }
  }

  /** Stops a clean of `log` in progress and waits for it (Kafka's abortCleaning); no-op otherwise. */
  async abort(log: Log): Promise<void> {
    const cur = this.inProgress;
    if (!cur || cur.log !== log) return;
    this.aborting = log;
    try {
      await cur.done;
    } finally {
      if (this.aborting === log) this.aborting = null;
    }
  }

  /**
   * Kafka's maybeTruncateCheckpoint: the log was truncated to `offset`, so what follows it will be new data; a first
   * dirty offset above it comes down to it (else records re-appended there would count as already clean).
   */
  truncated(log: Log, dir: string, offset: bigint, live: ReadonlySet<string>): Promise<void> {
    const current = this.checkpoints.get(dir)?.get(logKey(log));
    if (current === undefined || current <= offset) return Promise.resolve();
    return this.writeCheckpoint(dir, live, { log, offset });
  }

  /** A deleted log: its clean is aborted and its checkpoint entry dropped. */
  async removeLog(log: Log, dir: string, remaining: ReadonlySet<string>): Promise<void> {
    this.removed.add(log);
    await this.abort(log);
    this.uncleanable.delete(log);
    if (this.checkpoints.get(dir)?.has(logKey(log))) await this.writeCheckpoint(dir, remaining);
  }

  /** Stops cleaning; an in-flight clean is aborted and awaited. Idempotent. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.inProgress?.done;
  }
}
