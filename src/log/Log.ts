// The append-only log of one partition replica: its segments, offsets (LEO, log start, HW), epochs and policies.
import { AsyncLock } from '../util/AsyncLock';
import * as fs from 'fs';
import * as path from 'path';
import { Logger, moduleLogger } from '../util/logger';
import { LeaderEpochCheckpointFile } from './checkpoints';
import { LogError, LogErrorCode, outOfRange, storageError } from './errors';
import { LeaderEpochFileCache } from './LeaderEpochFileCache';
import { LogConfig } from './LogConfig';
import { analyzeAndValidateBatches, appendOffsetRange, assignOffsets, validateRecordSet, type ValidatedBatch } from './LogValidator';
import { LogLoader, type LoadedLog } from './LogLoader';
import { LogSegment, type TimestampLookup } from './LogSegment';
import { LogFlusher } from './LogFlusher';
import { PartitionMetadataFile } from './PartitionMetadataFile';
import { LogProducerState } from './LogProducerState';
import type { ProducerStateEntry } from './ProducerStateManager';
import { fetchOffsetByTimestamp, floorSegmentIndex, legacyOffsetsBefore, readRange, type SegmentsView } from './logReads';
import { SegmentDeleter } from './SegmentDeleter';
import { deletableSegmentCount, rollReason, segmentSizedRuns } from './segmentPolicies';
import { collectAbortedTransactions, firstUnstableOffset, lastStableOffset } from './logTransactions';
import { combineAppendInfos, systemClock, type AbortedTxn, type AppendOptions, type Clock, type FetchDataInfo, type LoadOptions, type LogAppendInfo, type ReadOptions } from './LogTypes';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export type { LoadOptions } from './LogTypes';

const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 604800000;

export class Log {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  config: LogConfig;
  readonly leaderEpochCache: LeaderEpochFileCache;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onStorageError: ((err: unknown) => void) | undefined;
  private readonly onTruncated: ((offset: bigint) => void) | undefined;
  /** Sorted by base offset; the last one is active. */
  private segments: LogSegment[] = [];
  /** Offset the next append gets (includes queued, unwritten batches). */
  private nextOffset: bigint;
  /** Published log end offset: every batch below it is in the OS and readable. */
  private leo: bigint;
  /**
   * The log start offset and the HW are decided by the Partition, their one writer: only it calls
   * updateHighWatermark and deleteRecordsBefore. The Log itself only keeps them within its bounds when it removes
   * data: truncation caps them at the new end; retention moves the log start up to the first segment left.
   */
  private _logStartOffset: bigint;
  private _highWatermark: bigint;
  /** Owns the recovery point and the flush.messages / flush.ms bookkeeping. */
  private readonly flusher: LogFlusher;
  /** Serialises async critical sections (append offset assignment, roll, truncate, retention, close). */
  private readonly lock = new AsyncLock();
  private readonly deleter: SegmentDeleter;
  private offlineError: LogError | null = null;
  private closed = false;
  /** Idempotent producers' epochs, sequences and last batches; loaded from snapshots and the log on first use. */
  private readonly producerState: LogProducerState;
  /** The topic id recorded in partition.metadata (KIP-516); null until the controller tells one. */
  private _topicId: string | null = null;
  private readonly partitionMetadata: PartitionMetadataFile;

  private constructor(opts: LoadOptions, clock: Clock, logger: Logger, leaderEpochCache: LeaderEpochFileCache, loaded: LoadedLog) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.dir = opts.dir;
    this.config = opts.config;
    this.clock = clock;
    this.onStorageError = opts.onStorageError;
    this.onTruncated = opts.onTruncated;
    this.logger = logger;
    this.leaderEpochCache = leaderEpochCache;
    this.partitionMetadata = new PartitionMetadataFile(opts.dir);
    this.deleter = new SegmentDeleter(() => this.config['file.delete.delay.ms'], logger, (e) => this.markOffline(e));
    this.segments = loaded.segments;
    this.nextOffset = loaded.logEndOffset;
    this.leo = loaded.logEndOffset;
    this._logStartOffset = loaded.logStartOffset;
    this._highWatermark = loaded.highWatermark;
    this.flusher = new LogFlusher({ segments: () => this.segments, nextOffset: () => this.nextOffset, now: () => this.clock.now(), io: (p) => this.wrapIo(p) }, loaded.recoveryPoint);
    this.producerState = new LogProducerState({
      dir: opts.dir,
      topicPartition: `${opts.topic}-${opts.partition}`,
      producerIdExpirationMs: opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS,
      logger,
      segmentBaseOffsets: this.segmentBaseOffsets(),
      hadCleanShutdown: opts.hadCleanShutdown ?? true,
      view: () => ({ segments: this.segments, logStartOffset: this._logStartOffset, nextOffset: this.nextOffset, highWatermark: this._highWatermark, now: this.clock.now() }),
      txnIndexRebuildFrom: loaded.txnIndexRebuildFrom,
    });
  }

  /**
   * Opens (or creates) the log in `opts.dir` (see LogLoader: leftovers, interrupted swaps, recovery after a crash).
   * Synchronous I/O: meant for start-up, where LogManager loads many logs.
   */
  static loadSync(opts: LoadOptions): Log {
    const clock = opts.clock ?? systemClock;
    const logger = moduleLogger('log', { topicPartition: `${opts.topic}-${opts.partition}` });
    const leaderEpochCache = new LeaderEpochFileCache(new LeaderEpochCheckpointFile(path.join(opts.dir, LEADER_EPOCH_CHECKPOINT)));
    fs.mkdirSync(opts.dir, { recursive: true });
    const loaded = new LogLoader({
      dir: opts.dir,
      config: opts.config,
      now: clock.now(),
      hadCleanShutdown: opts.hadCleanShutdown ?? true,
      recoveryPoint: opts.recoveryPoint ?? 0n,
      logStartOffset: opts.logStartOffset ?? 0n,
      highWatermark: opts.highWatermark ?? 0n,
      leaderEpochCache,
      logger,
    }).loadSync();
    const log = new Log(opts, clock, logger, leaderEpochCache, loaded);
    // A malformed file fails the load, as Kafka's (the log dir goes offline rather than serve under a wrong id).
    log._topicId = log.partitionMetadata.readSync();
    return log;
  }

  // ---- accessors ----------------------------------------------------------------------------

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1] as LogSegment;
  }
  get logEndOffset(): bigint {
    return this.leo;
  }
  get logStartOffset(): bigint {
    return this._logStartOffset;
  }
  get highWatermark(): bigint {
    return this._highWatermark;
  }
  /** The last stable offset: below it every transaction is decided and replicated (min(first unstable offset, HW)). */
  get lastStableOffset(): bigint {
    return lastStableOffset(this.firstUnstableOffset, this._highWatermark);
  }
  /** First offset of an open transaction, or of a completed one whose marker is not below the HW; null if none. */
  get firstUnstableOffset(): bigint | null {
    return firstUnstableOffset(this.producerState.firstUnstableOffset, this._logStartOffset);
  }
  /** The aborted transactions a read_committed fetch of [fetchOffset, upperBoundOffset) filters (see logTransactions). */
  collectAbortedTransactions(fetchOffset: bigint, upperBoundOffset: bigint): AbortedTxn[] {
    return collectAbortedTransactions(this.segments, fetchOffset, upperBoundOffset);
  }
  get recoveryPoint(): bigint {
    return this.flusher.recoveryPoint;
  }
  get isOffline(): boolean {
    return this.offlineError !== null;
  }
  get numberOfSegments(): number {
    return this.segments.length;
  }
  /** Sum of the segment sizes. */
  get size(): number {
    return this.segments.reduce((s, g) => s + g.size, 0);
  }
  segmentBaseOffsets(): bigint[] {
    return this.segments.map((s) => s.baseOffset);
  }
  get topicId(): string | null {
    return this._topicId;
  }

  /**
   * Kafka's assignTopicId: records the topic id in partition.metadata the first time the controller tells it; the
   * same id again is a no-op, another one is refused (the caller answers INCONSISTENT_TOPIC_ID).
   */
  async assignTopicId(topicId: string): Promise<void> {
    if (this._topicId === topicId) return;
    if (this._topicId !== null) throw new Error(`log ${this.topic}-${this.partition} already has topic id ${this._topicId}, not ${topicId}`);
    await this.wrapIo(this.partitionMetadata.write(topicId));
    this._topicId = topicId;
  }

  latestEpoch(): number {
    return this.leaderEpochCache.latestEpoch();
  }

  /** A new leader's epoch starts at `startOffset`: recorded and on disk before the partition serves as leader. */
  async assignEpochDurably(epoch: number, startOffset: bigint): Promise<void> {
    if (this.leaderEpochCache.assign(epoch, startOffset)) await this.wrapIo(this.leaderEpochCache.durable());
  }

  /** Stores the HW computed by the Partition (its only caller), bounded by [logStartOffset, LEO]; returns the stored value. */
  updateHighWatermark(hw: bigint): bigint {
    let v = hw;
    if (v > this.leo) v = this.leo;
    if (v < this._logStartOffset) v = this._logStartOffset;
    this._highWatermark = v;
    this.producerState.onHighWatermarkUpdated(v);
    return v;
  }

  private checkOnline(): void {
    if (this.offlineError) throw this.offlineError;
    if (this.closed) throw storageError(`log ${this.topic}-${this.partition} is closed`);
  }

  /** Marks this log offline after a disk failure; every later call fails with KAFKA_STORAGE_ERROR. */
  markOffline(cause: unknown): LogError {
    if (!this.offlineError) {
      this.offlineError = storageError(`log ${this.topic}-${this.partition} is offline: ${(cause as Error)?.message ?? String(cause)}`, cause);
      this.logger.error({ err: cause }, 'disk error: log marked offline');
      this.onStorageError?.(cause);
    }
    return this.offlineError;
  }

  private wrapIo<T>(p: Promise<T>): Promise<T> {
    return p.catch((e: unknown) => {
      if (e instanceof LogError) throw e;
      throw this.markOffline(e);
    });
  }

  // ---- append -------------------------------------------------------------------------------

  /**
   * Appends whole magic-2 batches. The buffer is modified in place (base offset, leader epoch, LogAppendTime).
   * Validates everything first: on any invalid batch nothing is written. Resolves once the bytes are in the OS
   * (and fsynced when flush.messages is reached).
   */
  async append(batches: Buffer, opts: AppendOptions): Promise<LogAppendInfo> {
    this.checkOnline();
    const valid = analyzeAndValidateBatches(batches, opts.assignOffsets, opts.maxMessageBytes ?? this.config['max.message.bytes']);
    if (batches.length > this.config['segment.bytes'] && valid.length > 1 && !opts.assignOffsets) {
      // A follower's fetch can bring more than a segment's worth of the leader's batches (replica.fetch.max.bytes
      // above segment.bytes): append them in segment-sized runs, rolling between them, instead of refusing the
      // fetch forever and never catching up.
      return this.appendInRuns(batches, valid, opts);
    }
    if (batches.length > this.config['segment.bytes'] && (opts.assignOffsets || valid.length > 1)) {
      throw new LogError(LogErrorCode.RECORD_LIST_TOO_LARGE, `${batches.length} bytes of batches exceed segment.bytes ${this.config['segment.bytes']}`);
    }
    const timestampType = opts.timestampType ?? this.config['message.timestamp.type'];
    if (opts.assignOffsets) {
      // The leader checks the records themselves, as Kafka's LogValidator does; followers copy the leader's bytes.
      await validateRecordSet(batches, valid, {
        topicPartition: `${this.topic}-${this.partition}`,
        compacted: this.config['cleanup.policy'].includes('compact'),
        timestampType,
        timestampDiffMaxMs: this.config['message.timestamp.difference.max.ms'],
        now: this.clock.now(),
        fromClient: opts.origin !== 'coordinator',
      });
      this.checkOnline();
    }
    let epochDurable: Promise<void> | null = null;
    const locked = this.lock.run(async () => {
      this.checkOnline();
      await this.ensureProducerState();
      if (valid.length === 0) {
        const empty: LogAppendInfo = { firstOffset: this.nextOffset, lastOffset: this.nextOffset - 1n, maxTimestamp: -1n, offsetOfMaxTimestamp: -1n, logAppendTime: -1n, logStartOffset: this._logStartOffset, validBytes: 0, numMessages: 0 };
        return { info: empty, written: Promise.resolve() };
      }
      const now = BigInt(this.clock.now());
      // The leader assigns offsets from nextOffset; a follower's come from the leader and must extend our log.
      const { firstOffset, lastOffset, maxTimestamp: maxTsInAppend } = appendOffsetRange(valid, opts.assignOffsets, this.nextOffset);
      // Idempotent producers: before anything is written, a client's retry of a recent batch is recognised (and
      // answered with the original offsets) and sequence gaps or stale epochs are refused.
      const producers = this.producerState.analyze(batches, valid, opts, this.nextOffset, this._logStartOffset);
      if (producers.duplicate) return { info: producers.duplicate, written: Promise.resolve() };
      await this.maybeRoll(batches.length, firstOffset, lastOffset, timestampType === 'LogAppendTime' ? now : maxTsInAppend);

      const leader = opts.assignOffsets ? { leaderEpoch: opts.leaderEpoch, logAppendTime: timestampType === 'LogAppendTime' ? now : null } : null;
      const { appended, maxTimestamp, offsetOfMaxTimestamp, numMessages, nextOffset: offset } = assignOffsets(batches, valid, firstOffset, leader);
      // Leader epochs: the leader's epoch starts at the first offset it writes; a follower copies the leader's.
      const newEpoch = this.leaderEpochCache.assignForAppend(opts.assignOffsets ? opts.leaderEpoch : null, firstOffset, valid);
      // An append that starts an epoch returns only once the epoch checkpoint has it (written, fsynced): the
      // truncation of a replica after a crash relies on it. Recovery also rebuilds epochs from batch headers.
      if (newEpoch) epochDurable = this.leaderEpochCache.durable();

      const written = this.activeSegment.append(batches, appended);
      this.nextOffset = offset;
      try {
        this.producerState.appended(producers, offset, this.segments); // may write a .txnindex entry (an ABORT)
      } catch (e) {
        throw this.markOffline(e);
      }
      this.flusher.appended(numMessages);
      const info: LogAppendInfo = {
        firstOffset,
        lastOffset: offset - 1n,
        maxTimestamp,
        offsetOfMaxTimestamp,
        logAppendTime: timestampType === 'LogAppendTime' ? now : -1n,
        logStartOffset: this._logStartOffset,
        validBytes: batches.length,
        numMessages,
      };
      return { info, written };
    });
    // The lock serves its callers in call order, so from here on an append called later lands after this one.
    opts.onOrdered?.();
    const { info, written } = await locked;
    await this.wrapIo(written);
    if (epochDurable) await this.wrapIo(epochDurable);
    if (info.lastOffset + 1n > this.leo) this.leo = info.lastOffset + 1n;
    if (this.flusher.dueByMessages(this.config['flush.messages'])) await this.flush();
    return info;
  }

  /** Follower append of batches larger than a segment in total: consecutive runs of at most segment.bytes each. */
  private async appendInRuns(batches: Buffer, valid: ValidatedBatch[], opts: AppendOptions): Promise<LogAppendInfo> {
    const infos: LogAppendInfo[] = [];
    for (const run of segmentSizedRuns(valid, this.config['segment.bytes'])) infos.push(await this.append(batches.subarray(run.from, run.to), opts));
    return combineAppendInfos(infos);
  }

  /** Rolls when Kafka's shouldRoll says so (see rollReason). Inside the lock. */
  private async maybeRoll(messagesSize: number, firstOffset: bigint, lastOffset: bigint, maxTimestampInMessages: bigint): Promise<void> {
    const reason = rollReason(this.activeSegment, {
      segmentBytes: this.config['segment.bytes'],
      segmentMs: this.config['segment.ms'],
      now: this.clock.now(),
      messagesSize,
      firstOffset,
      lastOffset,
      maxTimestampInMessages,
    });
    if (reason) await this.roll(reason);
  }

  /** Starts a new active segment at the next offset; the old one is flushed in the background. Inside the lock. */
  private async roll(reason: string): Promise<void> {
    const old = this.activeSegment;
    await this.wrapIo(old.drain());
    if (old.failed) throw this.markOffline(old.failed);
    if (old.baseOffset === this.nextOffset) return; // empty segment: nothing to roll
    old.onBecomeInactive();
    const seg = await this.wrapIo(LogSegment.create(this.dir, this.nextOffset, this.config['index.interval.bytes'], this.config['segment.index.bytes'], this.clock.now()));
    this.segments.push(seg);
    this.logger.debug({ newSegment: seg.baseOffset.toString(), reason }, 'rolled segment');
    await this.wrapIo(this.producerState.rolled(this.nextOffset));
    // Kafka flushes the previous segment asynchronously after a roll, moving the recovery point to the new base.
    const upTo = seg.baseOffset;
    void this.flush(upTo).catch(() => undefined);
  }

  // ---- producer state -----------------------------------------------------------------------

  /** Loads the producer state (snapshot plus the log after it) unless it is loaded. LogManager calls it at start-up. */
  loadProducerState(): Promise<void> {
    return this.lock.run(() => this.ensureProducerState());
  }

  /** Inside the lock. */
  private ensureProducerState(): Promise<void> {
    return this.wrapIo(this.producerState.ensureLoaded());
  }

  /** Drops producers idle past transactional.id.expiration.ms (LogManager's periodic check). */
  removeExpiredProducers(now = this.clock.now()): number {
    return this.producerState.removeExpiredProducers(now);
  }

  /** The producer state, for inspection (tools and tests). */
  activeProducers(): ReadonlyMap<bigint, ProducerStateEntry> {
    return this.producerState.activeProducers();
  }

  // ---- flush --------------------------------------------------------------------------------

  /** fsyncs the log up to its end (or `upTo`) and advances the recovery point (see LogFlusher: group commit). */
  flush(upTo?: bigint): Promise<void> {
    if (this.offlineError) return Promise.reject(this.offlineError);
    return this.flusher.flush(upTo);
  }

  /** Flushes when flush.ms has elapsed since the last flush and there is unflushed data (LogManager's flusher). */
  async maybeFlushByTime(): Promise<void> {
    if (this.offlineError || this.closed) return;
    if (this.flusher.dueByTime(this.config['flush.ms'])) await this.flush();
  }

  // ---- read ---------------------------------------------------------------------------------

  /** The segments and bounds a read sees, as of now. */
  private readView(): SegmentsView {
    return { segments: this.logSegments(), logStartOffset: this._logStartOffset, logEndOffset: this.leo, io: (p) => this.wrapIo(p) };
  }

  /** Whole batches from `startOffset` (see logReads.readRange), with the log's bounds as of the start of the read. */
  async read(startOffset: bigint, maxBytes: number, opts: ReadOptions = {}): Promise<FetchDataInfo> {
    this.checkOnline();
    const view = this.readView();
    const bounds = { logStartOffset: view.logStartOffset, logEndOffset: view.logEndOffset, highWatermark: this._highWatermark };
    return { ...(await readRange(view, `${this.topic}-${this.partition}`, startOffset, maxBytes, opts)), ...bounds };
  }

  /** ListOffsets: -1 → LEO, -2 → log start offset, otherwise the first record at or after ts (see logReads). */
  async fetchOffsetByTimestamp(ts: bigint): Promise<TimestampLookup | null> {
    this.checkOnline();
    return fetchOffsetByTimestamp(this.readView(), this.leaderEpochCache, ts);
  }

  /** ListOffsets v0 (Kafka's legacyFetchOffsetsBefore, see logReads). */
  legacyFetchOffsetsBefore(timestamp: bigint, maxNumOffsets: number): bigint[] {
    this.checkOnline();
    return legacyOffsetsBefore({ segments: this.segments, logStartOffset: this._logStartOffset, logEndOffset: this.leo }, this.clock.now(), timestamp, maxNumOffsets);
  }

  /** OffsetForLeaderEpoch (Kafka semantics, see LeaderEpochFileCache.endOffsetFor). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: bigint } {
    return this.leaderEpochCache.endOffsetFor(epoch, this.leo);
  }

  // ---- truncation, log start offset, retention ---------------------------------------------

  /** Follower truncation: removes everything at and above `offset`. Returns true if anything was removed. */
  truncateTo(offset: bigint): Promise<boolean> {
    if (offset < 0n) return Promise.reject(outOfRange(`cannot truncate to negative offset ${offset}`));
    return this.lock.run(async () => {
      this.checkOnline();
      await this.wrapIo(this.activeSegment.drain());
      if (offset >= this.nextOffset) return false;
      if (offset < (this.segments[0] as LogSegment).baseOffset) {
        await this.truncateFullyLocked(offset);
        return true;
      }
      const idx = floorSegmentIndex(this.segments, offset);
      const doomed = this.segments.slice(idx + 1);
      this.segments = this.segments.slice(0, idx + 1);
      for (const s of doomed) this.deleter.delete(s);
      const seg = this.activeSegment;
      await this.wrapIo(seg.truncateTo(offset));
      this.nextOffset = seg.nextOffset;
      this.leo = this.nextOffset;
      this.afterTruncate();
      await this.wrapIo(this.producerState.reloadIfLoaded());
      this.logger.info({ truncatedTo: this.nextOffset.toString() }, 'log truncated');
      this.onTruncated?.(this.nextOffset);
      return true;
    });
  }

  private afterTruncate(): void {
    this.leaderEpochCache.truncateFromEnd(this.nextOffset);
    if (this._highWatermark > this.leo) this._highWatermark = this.leo;
    if (this.flusher.recoveryPoint > this.leo) this.flusher.recoveryPoint = this.leo;
    if (this._logStartOffset > this.leo) this._logStartOffset = this.leo;
  }

  /** Deletes every segment and restarts the log, empty, at `offset` (follower far behind the leader's start). */
  truncateFullyAndStartAt(offset: bigint): Promise<void> {
    return this.lock.run(async () => {
      this.checkOnline();
      await this.wrapIo(this.activeSegment.drain());
      await this.truncateFullyLocked(offset);
    });
  }

  private async truncateFullyLocked(offset: bigint): Promise<void> {
    const doomed = this.segments;
    this.segments = [];
    for (const s of doomed) this.deleter.delete(s);
    // The rename of an old segment with the same base must finish before the new file takes its name.
    await this.deleter.renamed();
    const seg = await this.wrapIo(LogSegment.create(this.dir, offset, this.config['index.interval.bytes'], this.config['segment.index.bytes'], this.clock.now()));
    this.segments = [seg];
    this.nextOffset = offset;
    this.leo = offset;
    this._logStartOffset = offset;
    this._highWatermark = offset;
    this.flusher.recoveryPoint = offset;
    this.leaderEpochCache.clear();
    this.producerState.truncateFullyAndStartAt(offset);
    this.logger.info({ startOffset: offset.toString() }, 'log truncated fully');
    this.onTruncated?.(offset);
  }

  /**
   * DeleteRecords, or a follower following its leader's log start (the Partition is the only caller): moves the log
   * start offset up (at most to the HW) and drops segments wholly below it.
   */
  async deleteRecordsBefore(offset: bigint): Promise<bigint> {
    this.checkOnline();
    if (offset > this._highWatermark) throw outOfRange(`cannot delete records before ${offset}: above the high watermark ${this._highWatermark}`);
    if (offset > this._logStartOffset) {
      this.incrementLogStartOffset(offset);
      await this.deleteOldSegments();
    }
    return this._logStartOffset;
  }

  /** Where the log start moves up (DeleteRecords, retention); the epochs below it go. */
  private incrementLogStartOffset(offset: bigint): void {
    this._logStartOffset = offset;
    this.leaderEpochCache.truncateFromStart(offset);
    this.producerState.onLogStartOffsetIncremented(offset);
  }

  /**
   * Retention: deletes the oldest segments (never the active one) past retention.ms or beyond retention.bytes,
   * and those wholly below the log start offset, but only segments wholly below the high watermark. The new log
   * start is therefore never above the HW, and the HW is never moved here. Returns how many were deleted.
   */
  deleteOldSegments(): Promise<number> {
    return this.lock.run(async () => {
      if (this.offlineError || this.closed) return 0;
      let count: number;
      try {
        count = deletableSegmentCount(this.segments, {
          now: this.clock.now(),
          retentionMs: this.config['retention.ms'],
          retentionBytes: this.config['retention.bytes'],
          deletePolicy: this.config['cleanup.policy'].includes('delete'),
          highWatermark: this._highWatermark,
          logStartOffset: this._logStartOffset,
        });
      } catch (e) {
        // Reading a segment's largest timestamp failed (a stat or index load): the disk is failing.
        throw this.markOffline(e);
      }
      if (count === 0) return 0;
      const doomed = this.segments.slice(0, count);
      this.segments = this.segments.slice(count);
      for (const s of doomed) {
        this.deleter.delete(s);
        this.producerState.segmentDeleted(s.baseOffset);
      }
      const first = this.segments[0] as LogSegment;
      if (first.baseOffset > this._logStartOffset) {
        this.incrementLogStartOffset(first.baseOffset);
      }
      this.logger.info({ segments: doomed.map((s) => s.baseOffset.toString()), logStartOffset: this._logStartOffset.toString() }, 'deleted old segments');
      return count;
    });
  }

  // ---- compaction ---------------------------------------------------------------------------

  /** The segments, oldest first, as of now (a copy; the cleaner reads the inactive ones, which are never written). */
  logSegments(): LogSegment[] {
    return this.segments.slice();
  }

  /**
   * The cleaner's swap (SegmentSwap.replaceSegments), under the log lock: `swap` gets the current segments when the
   * log is online and open, and returns the new list with the segments it replaced (kept open for readers a while,
   * see SegmentDeleter), or null to change nothing (false comes back). A failure takes the log offline.
   */
  swapSegments(swap: (segments: readonly LogSegment[]) => Promise<{ segments: LogSegment[]; replaced: readonly LogSegment[] } | null>): Promise<boolean> {
    return this.lock.run(async () => {
      if (this.offlineError || this.closed) return false;
      let r: Awaited<ReturnType<typeof swap>>;
      try {
        r = await swap(this.segments);
      } catch (e) {
        throw this.markOffline(e);
      }
      if (!r) return false;
      this.segments = r.segments;
      for (const seg of r.replaced) this.deleter.releaseReplacedLater(seg);
      return true;
    });
  }

  /** Resolves once no flush is running or queued (a flush started meanwhile is waited for too). */
  async awaitFlushes(): Promise<void> {
    await this.flusher.idle();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Flushes, writes indexes and the epoch checkpoint, closes files. Idempotent. */
  close(): Promise<void> {
    return this.lock.run(async () => {
      if (this.closed) return;
      if (!this.offlineError) {
        await this.flush().catch(() => undefined);
        // A clean shutdown leaves a snapshot at the log end, so the next start reads no segment for producer state.
        await this.ensureProducerState()
          .then(() => this.producerState.takeSnapshot())
          .catch((e: unknown) => this.logger.warn({ err: e }, 'producer state snapshot at close failed'));
      }
      this.closed = true;
      await this.deleter.close();
      await this.leaderEpochCache.flush();
      for (const s of this.segments) await s.close().catch((e: unknown) => this.logger.warn({ err: e }, 'segment close failed'));
    });
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    await this.close();
    const all = this.segments;
    this.segments = [];
    for (const s of all) await s.deleteFiles().catch(() => undefined);
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

