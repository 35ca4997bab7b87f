// Flushing a log (Kafka's LocalLog.flush with its recovery point): fsyncs the segments between the recovery point and
// a target offset, one flush at a time with concurrent callers sharing the one not yet started (group commit), and
// counts the messages still unflushed for flush.messages and the time since the last flush for flush.ms.
import type { LogSegment } from './LogSegment';

/** What a flush reads of its log when it starts. */
export interface FlushedLog {
  /** Oldest first. */
  segments(): readonly LogSegment[];
  /** Offset the next append gets: a flush covers everything below it. */
  nextOffset(): bigint;
  now(): number;
  /** Wraps the fsyncs, so a failure takes the log offline. */
  io<T>(p: Promise<T>): Promise<T>;
}

/**
 * Kafka's LogFlushStats: one per process, like Kafka's, told each flush's duration (the broker's metrics endpoint sets
 * the observer; several brokers in one test process share it).
 */
export const logFlushStats: { observer: ((ms: number) => void) | null } = { observer: null };

export class LogFlusher {
  private _recoveryPoint: bigint;
  private unflushedMessages = 0;
  private lastFlushTime: number;
  private chain: Promise<void> = Promise.resolve();
  private pending: Promise<void> | null = null;

  constructor(
    private readonly log: FlushedLog,
    recoveryPoint: bigint,
  ) {
    this._recoveryPoint = recoveryPoint;
    this.lastFlushTime = log.now();
  }

  /** Every offset below it is fsynced (a restart recovers only from here). */
  get recoveryPoint(): bigint {
    return this._recoveryPoint;
  }

  /** After a truncation below the recovery point, or when the log restarts empty at `offset`. */
  set recoveryPoint(offset: bigint) {
    this._recoveryPoint = offset;
  }

  /** An append queued `n` messages. */
  appended(n: number): void {
    this.unflushedMessages += n;
  }

  /** flush.messages reached. */
  dueByMessages(flushMessages: number): boolean {
    return this.unflushedMessages >= flushMessages;
  }

  /** Unflushed data older than flush.ms. */
  dueByTime(flushMs: number): boolean {
    return this.log.nextOffset() > this._recoveryPoint && this.log.now() - this.lastFlushTime >= flushMs;
  }

  /**
   * fsyncs every segment between the recovery point and the log's end (or `upTo`, if lower), writes their indexes,
   * and advances the recovery point. Concurrent callers share one flush that has not started yet.
   */
  flush(upTo?: bigint): Promise<void> {
    if (this.pending) return this.pending;
    const p = this.chain.then(async () => {
      this.pending = null;
      const end = this.log.nextOffset();
      const target = upTo !== undefined && upTo < end ? upTo : end;
      if (target <= this._recoveryPoint) return;
      const from = this._recoveryPoint;
      const unflushed = this.unflushedMessages;
      const all = this.log.segments();
      const segs = all.filter((s, i) => {
        const next = all[i + 1];
        return s.baseOffset < target && (next === undefined || next.baseOffset > from);
      });
      const t0 = performance.now();
      await this.log.io(Promise.all(segs.map((s) => s.flush())).then(() => undefined));
      logFlushStats.observer?.(performance.now() - t0);
      if (target > this._recoveryPoint) this._recoveryPoint = target;
      if (upTo === undefined) this.unflushedMessages = Math.max(0, this.unflushedMessages - unflushed);
      this.lastFlushTime = this.log.now();
    });
    this.pending = p;
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Resolves once no flush is running or queued (a flush started meanwhile is waited for too). */
  async idle(): Promise<void> {
    for (;;) {
      const chain = this.chain;
      await chain;
      if (chain === this.chain) break;
    }
  }
}
