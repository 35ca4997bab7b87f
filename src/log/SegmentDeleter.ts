// Segment files a log no longer lists (Kafka's asynchronous segment deletion): renamed `.deleted` at once and removed
// after file.delete.delay.ms, so readers that still hold them finish; segments replaced by cleaned copies keep their
// fds open for readers as long.
import * as fs from 'fs';
import type { Logger } from '../util/logger';
import { DELETED_SUFFIX, type LogSegment } from './LogSegment';

export class SegmentDeleter {
  private readonly renames = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Segments replaced by compacted copies whose fds stay open for in-flight readers until released. */
  private readonly replaced = new Set<LogSegment>();
  private closed = false;

  constructor(
    /** file.delete.delay.ms as the log's config says now. */
    private readonly delayMs: () => number,
    private readonly logger: Logger,
    /** A rename failed: the log goes offline. */
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Renames the segment's files to `.deleted` (once its queued writes are done) and removes them after the delay. */
  delete(seg: LogSegment): void {
    const p = seg
      .drain()
      .then(() => seg.renameToDeleted())
      .catch((e: unknown) => {
        this.onError(e);
      });
    this.renames.add(p);
    void p.then(() => {
      this.renames.delete(p);
      this.afterDelay(() => {
        void seg.deleteFiles().catch((e: unknown) => this.logger.warn({ err: e }, 'failed to remove deleted segment'));
      });
    });
  }

  /** Resolves once every segment given to {@link delete} has its `.deleted` name (its base name is free again). */
  async renamed(): Promise<void> {
    await Promise.all([...this.renames]);
  }

  /**
   * A segment the cleaner replaced (already renamed `.deleted`) keeps its fd, the old inode, for in-flight readers for
   * file.delete.delay.ms, the grace Kafka gives readers of deleted segments; then the fd closes and its `.deleted`
   * files go (never the base names: those now belong to a cleaned segment).
   */
  releaseReplacedLater(seg: LogSegment): void {
    this.replaced.add(seg);
    this.afterDelay(() => {
      this.replaced.delete(seg);
      void releaseReplaced(seg).catch((e: unknown) => this.logger.warn({ err: e }, 'failed to remove a replaced segment'));
    });
  }

  /** The log is closing: renames finish, pending removals are left to the next load, replaced segments go now. */
  async close(): Promise<void> {
    this.closed = true;
    await this.renamed();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.replaced) await releaseReplaced(s).catch(() => undefined);
    this.replaced.clear();
  }

  /** Runs `task` after file.delete.delay.ms (at once when 0 or closed); close cancels the timers still pending. */
  private afterDelay(task: () => void): void {
    const delay = this.delayMs();
    if (delay <= 0 || this.closed) return task();
    const t = setTimeout(() => {
      this.timers.delete(t);
      task();
    }, delay);
    t.unref();
    this.timers.add(t);
  }
}

/** Closes a segment replaced by a cleaned one and removes its renamed (`.deleted`) files. */
async function releaseReplaced(seg: LogSegment): Promise<void> {
  await seg.release();
  for (const f of seg.files()) await fs.promises.rm(f + DELETED_SUFFIX, { force: true });
}
