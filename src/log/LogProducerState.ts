// A log's producer state (Kafka 2.8's Log ↔ ProducerStateManager glue): owns the manager and whether it has been
// loaded, rebuilds it from snapshots and segments when needed, and turns an append's batches into the checks and
// updates the manager makes, transactions included: the markers an append or a replay writes complete transactions,
// whose ABORTs go to the .txnindex of the segment holding the marker. The Log calls it inside its lock and wraps its
// disk I/O.
import type { Logger } from '../util/logger';
import type { LogSegment } from './LogSegment';
import { LogError, LogErrorCode } from './errors';
import { floorSegmentIndex } from './logReads';
import type { AppendOptions, LogAppendInfo } from './LogTypes';
import type { ValidatedBatch } from './LogValidator';
import { ProducerStateManager, producerBatchAt, type CompletedTxn, type OnTxnCompleted, type ProducerAppendInfo, type ProducerBatch, type ProducerStateEntry, type TxnMetadata } from './ProducerStateManager';
import { rebuildProducerState } from './producerStateLoading';

/** What the producer state needs of its log at the moment it rebuilds. */
export interface ProducerStateLogView {
  /** Oldest first. */
  segments: readonly LogSegment[];
  logStartOffset: bigint;
  /** Offset the next append gets. */
  nextOffset: bigint;
  highWatermark: bigint;
  now: number;
}

export interface LogProducerStateOptions {
  dir: string;
  topicPartition: string;
  /** transactional.id.expiration.ms. */
  producerIdExpirationMs: number;
  logger: Logger;
  /** Base offsets of the segments the log loaded with: snapshots that fit none of them are stray. */
  segmentBaseOffsets: readonly bigint[];
  /** With no snapshot after a clean shutdown the log holds no producer state worth a scan. */
  hadCleanShutdown: boolean;
  /** The log as it is now (called when the state is rebuilt). */
  view: () => ProducerStateLogView;
  /**
   * Crash recovery emptied the .txnindex of the segments from this base offset on (LogLoader): the first load replays
   * from a snapshot at or below it and writes the entries of the ABORT markers at or above it again.
   */
  txnIndexRebuildFrom?: bigint | null;
}

/** An append checked against the producer state: a duplicate to answer instead, or the updates to apply once written. */
export interface ProducerAnalysis {
  duplicate?: LogAppendInfo;
  updates?: Map<bigint, ProducerAppendInfo>;
  completedTxns?: CompletedTxn[];
}

export class LogProducerState {
  /** Idempotent producers' epochs, sequences and last batches; rebuilt from snapshots and the log on first use. */
  private readonly psm: ProducerStateManager;
  private loaded = false;
  private readonly hadCleanShutdown: boolean;
  private readonly view: () => ProducerStateLogView;
  private txnIndexRebuildFrom: bigint | null;

  constructor(opts: LogProducerStateOptions) {
    this.hadCleanShutdown = opts.hadCleanShutdown;
    this.view = opts.view;
    this.txnIndexRebuildFrom = opts.txnIndexRebuildFrom ?? null;
    this.psm = new ProducerStateManager({
      dir: opts.dir,
      topicPartition: opts.topicPartition,
      maxProducerIdExpirationMs: opts.producerIdExpirationMs,
      logger: opts.logger,
    });
    // Recovery may have removed segments without the producer state seeing it: drop the snapshots that no longer fit.
    this.psm.removeStraySnapshots(opts.segmentBaseOffsets);
    // The replay that rebuilds the emptied .txnindex files must start at or below the first of them.
    const from = this.txnIndexRebuildFrom;
    if (from !== null) for (const s of this.psm.snapshotOffsets()) if (s > from) this.psm.removeAndDeleteSnapshot(s);
  }

  /** Loads the state (snapshot plus the log after it) unless it is loaded. */
  async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    await this.rebuild(this.hadCleanShutdown);
    this.loaded = true;
  }

  /** After a truncation: a loaded state is rebuilt for the shorter log (an unloaded one loads later as usual). */
  async reloadIfLoaded(): Promise<void> {
    if (this.loaded) await this.rebuild(false);
  }

  private async rebuild(reloadFromCleanShutdown: boolean): Promise<void> {
    const v = this.view();
    const from = this.txnIndexRebuildFrom;
    // Only the first load rewrites entries: after a truncation the remaining ones are still in the files.
    this.txnIndexRebuildFrom = null;
    const onTxnCompleted: OnTxnCompleted | undefined =
      from === null ? undefined : (txn, lso) => {
        if (txn.lastOffset >= from) writeAbortedTxn(v.segments, txn, lso);
      };
    await rebuildProducerState({ psm: this.psm, segments: v.segments, logStartOffset: v.logStartOffset, lastOffset: v.nextOffset, reloadFromCleanShutdown, now: v.now, onTxnCompleted });
    this.psm.onHighWatermarkUpdated(v.highWatermark);
  }

  /**
   * The producer batches of an append with the offsets they get, checked against the producer state. On the leader
   * a duplicate ends the append (its LogAppendInfo is the original's); followers take the leader's batches as
   * they are (stale epochs are only logged).
   */
  analyze(batches: Buffer, valid: readonly ValidatedBatch[], opts: AppendOptions, nextOffset: bigint, logStartOffset: bigint): ProducerAnalysis {
    const found: ProducerBatch[] = [];
    let offset = nextOffset;
    for (const b of valid) {
      const pb = producerBatchAt(batches, b.position, opts.assignOffsets ? offset : b.baseOffset);
      if (pb) found.push(pb);
      offset += BigInt(b.lastOffsetDelta) + 1n;
    }
    if (found.length === 0) return {};
    const origin = !opts.assignOffsets ? 'replication' : opts.origin === 'coordinator' ? 'coordinator' : 'client';
    if (origin === 'coordinator' && found.some((b) => b.control && !b.endTxn)) {
      throw new LogError(LogErrorCode.INVALID_RECORD, 'control batch without an end transaction marker');
    }
    const r = this.psm.analyze(found, origin);
    if (!r.duplicate) return { updates: r.updates, completedTxns: r.completedTxns };
    const d = r.duplicate;
    // As Kafka's Log.append: the original offsets, its timestamp in logAppendTime, nothing written.
    return {
      duplicate: {
        firstOffset: d.lastOffset - BigInt(d.offsetDelta),
        lastOffset: d.lastOffset,
        maxTimestamp: d.timestamp,
        offsetOfMaxTimestamp: d.lastOffset,
        logAppendTime: d.timestamp,
        logStartOffset,
        validBytes: 0,
        numMessages: 0,
      },
    };
  }

  /**
   * An append was queued: its producers' updates apply, its markers complete their transactions (ABORTs indexed in
   * the segment holding the marker, of `segments`) and the state covers everything below `nextOffset`.
   */
  appended(analysis: ProducerAnalysis, nextOffset: bigint, segments: readonly LogSegment[]): void {
    if (analysis.updates) this.psm.update(analysis.updates);
    if (analysis.completedTxns?.length) this.psm.completeTxns(analysis.completedTxns, (txn, lso) => writeAbortedTxn(segments, txn, lso));
    this.psm.updateMapEndOffset(nextOffset);
  }

  /** See ProducerStateManager.firstUnstableOffset. */
  get firstUnstableOffset(): bigint | null {
    return this.psm.firstUnstableOffset;
  }

  onHighWatermarkUpdated(hw: bigint): void {
    this.psm.onHighWatermarkUpdated(hw);
  }

  ongoingTransactions(): TxnMetadata[] {
    return this.psm.ongoingTransactions();
  }

  /** A new segment starts at `baseOffset`: the state as of there is snapshotted, so a restart or truncation reloads from it. */
  async rolled(baseOffset: bigint): Promise<void> {
    this.psm.updateMapEndOffset(baseOffset);
    await this.psm.takeSnapshot();
  }

  /** The log was emptied and restarts at `offset`: the state is empty there, and loaded. */
  truncateFullyAndStartAt(offset: bigint): void {
    this.psm.truncateFullyAndStartAt(offset);
    this.loaded = true;
  }

  onLogStartOffsetIncremented(offset: bigint): void {
    this.psm.onLogStartOffsetIncremented(offset);
  }

  /** Retention deleted the segment based at `baseOffset`: its snapshot goes too. */
  segmentDeleted(baseOffset: bigint): void {
    this.psm.removeAndDeleteSnapshot(baseOffset);
  }

  /** Snapshots the state at its end (at close: the next start then reads no segment for producer state). */
  takeSnapshot(): Promise<void> {
    return this.psm.takeSnapshot();
  }

  removeExpiredProducers(now: number): number {
    return this.psm.removeExpiredProducers(now);
  }

  activeProducers(): ReadonlyMap<bigint, ProducerStateEntry> {
    return this.psm.activeProducers();
  }
}

/** An ABORT's entry goes to the .txnindex of the segment holding its marker (COMMITs are not indexed). */
function writeAbortedTxn(segments: readonly LogSegment[], txn: CompletedTxn, lastStableOffset: bigint): void {
  if (!txn.isAborted) return;
  const seg = segments[floorSegmentIndex(segments, txn.lastOffset)];
  if (!seg) return; // below the first segment: nothing left to index it in
  seg.txnIndex.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset });
}
