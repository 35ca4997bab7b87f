// A log's producer state (Kafka 2.8's Log ↔ ProducerStateManager glue): owns the manager and whether it has been
// loaded, rebuilds it from snapshots and segments when needed, and turns an append's batches into the checks and
// updates the manager makes. The Log calls it inside its lock and wraps its disk I/O.
import type { Logger } from '../util/logger';
import type { LogSegment } from './LogSegment';
import type { AppendOptions, LogAppendInfo } from './LogTypes';
import type { ValidatedBatch } from './LogValidator';
import { ProducerStateManager, producerBatchAt, type ProducerAppendInfo, type ProducerBatch, type ProducerStateEntry } from './ProducerStateManager';
import { rebuildProducerState } from './producerStateLoading';

/** What the producer state needs of its log at the moment it rebuilds. */
export interface ProducerStateLogView {
  /** Oldest first. */
  segments: readonly LogSegment[];
  logStartOffset: bigint;
  /** Offset the next append gets. */
  nextOffset: bigint;
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
}

/** An append checked against the producer state: a duplicate to answer instead, or the updates to apply once written. */
export interface ProducerAnalysis {
  duplicate?: LogAppendInfo;
  updates?: Map<bigint, ProducerAppendInfo>;
}

export class LogProducerState {
  /** Idempotent producers' epochs, sequences and last batches; rebuilt from snapshots and the log on first use. */
  private readonly psm: ProducerStateManager;
  private loaded = false;
  private readonly hadCleanShutdown: boolean;
  private readonly view: () => ProducerStateLogView;

  constructor(opts: LogProducerStateOptions) {
    this.hadCleanShutdown = opts.hadCleanShutdown;
    this.view = opts.view;
    this.psm = new ProducerStateManager({
      dir: opts.dir,
      topicPartition: opts.topicPartition,
      maxProducerIdExpirationMs: opts.producerIdExpirationMs,
      logger: opts.logger,
    });
    // Recovery may have removed segments without the producer state seeing it: drop the snapshots that no longer fit.
    this.psm.removeStraySnapshots(opts.segmentBaseOffsets);
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

  private rebuild(reloadFromCleanShutdown: boolean): Promise<void> {
    const v = this.view();
    return rebuildProducerState({ psm: this.psm, segments: v.segments, logStartOffset: v.logStartOffset, lastOffset: v.nextOffset, reloadFromCleanShutdown, now: v.now });
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
      if (pb && !pb.control) found.push(pb);
      offset += BigInt(b.lastOffsetDelta) + 1n;
    }
    if (found.length === 0) return {};
    const origin = !opts.assignOffsets ? 'replication' : opts.origin === 'coordinator' ? 'coordinator' : 'client';
    const r = this.psm.analyze(found, origin);
    if (!r.duplicate) return { updates: r.updates };
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

  /** An append was queued: its producers' updates apply and the state covers everything below `nextOffset`. */
  appended(analysis: ProducerAnalysis, nextOffset: bigint): void {
    if (analysis.updates) this.psm.update(analysis.updates);
    this.psm.updateMapEndOffset(nextOffset);
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
