// One segment of a partition log: the .log file of record batches plus its .index, .timeindex and .txnindex.
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { BatchIterator } from '../protocol/record/batch-header';
import { CorruptIndexError, OffsetIndex, TimeIndex } from './indexes';
import { TXN_INDEX_SUFFIX, TransactionIndex } from './TransactionIndex';
import { findBatch, firstBatchTimestampSync, forEachHeaderSync, pread, preadSync, searchBatch, validPrefixSync, type BatchLocation, type TimestampLookup } from './segmentFile';

export type { BatchLocation, TimestampLookup } from './segmentFile';

const writevCb = promisify(fs.writev);
const fdatasyncCb = promisify(fs.fdatasync);
const closeCb = promisify(fs.close);
const openCb = promisify(fs.open);
const ftruncateCb = promisify(fs.ftruncate);

export const LOG_SUFFIX = '.log';
/**
 * Appended batches whose locations the active segment keeps for reads at the log's tail: a caught-up follower or
 * consumer asks for one of the last few (at most twice this many are kept: about 2 KiB per partition).
 */
const RECENT_BATCHES = 8;
/**
 * Writes (one writev of everything queued) up to this size are synchronous: for a few KiB the copy into the page
 * cache costs less than the trip to the thread pool and back, which every acks=-1 produce pays on the leader and on
 * each follower. Larger writes go to the thread pool, so the event loop keeps serving while they copy.
 */
const SYNC_WRITE_MAX_BYTES = 256 * 1024;
/** Reads of recent batches up to this size are synchronous (they are in the page cache), for the same reason. */
const SYNC_READ_MAX_BYTES = 256 * 1024;
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
/** Compaction output being written (deleted on load: the clean did not finish). */
export const CLEANED_SUFFIX = '.cleaned';
/** Compaction output complete and fsynced, waiting to replace its segment (completed on load). */
export const SWAP_SUFFIX = '.swap';

/** Kafka's 20-digit zero-padded base offset file name. */
export function filenamePrefixFromOffset(offset: bigint): string {
  return offset.toString().padStart(20, '0');
}

/** Per-batch facts the Log hands over with an append (positions relative to the appended buffer). */
export interface AppendedBatch {
  relativePosition: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

export interface RecoveryResult {
  validBytes: number;
  truncatedBytes: number;
  /** First offset lost (base offset of the first invalid batch, if its header was readable). */
  firstLostOffset: bigint | null;
  reason: string | null;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class LogSegment {
  readonly logFile: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Aborted transactions whose ABORT marker is in this segment (created on the first one). */
  readonly txnIndex: TransactionIndex;
  private fd = -1;
  /** Bytes handed to the OS (readable). */
  private committedSize = 0;
  /** Bytes queued for writing but not yet written. */
  private pendingBytes = 0;
  private queue: Buffer[] = [];
  private waiters: Waiter[] = [];
  private writing = false;
  private scheduled = false;
  private drainWaiters: (() => void)[] = [];
  private writeError: unknown = null;
  /**
   * The last batches appended in this process (oldest first, RECENT_BATCHES to twice that): a fetch at the log's tail (a
   * caught-up follower or consumer) finds its batch here instead of reading headers from the file.
   */
  private recent: BatchLocation[] = [];
  private loaded = false;
  private bytesSinceLastIndexEntry = 0;
  /** Offset after the last batch written or queued; null until computed (lazy for inactive segments). */
  private next: bigint | null = null;
  maxTimestampSoFar = -1n;
  offsetOfMaxTimestampSoFar = -1n;
  /** First batch's max timestamp (Kafka's rollingBasedTimestamp), for segment.ms. */
  rollingBasedTimestamp: bigint | null = null;
  readonly created: number;
  /** Replaced by a compacted copy: the files under this name belong to the new segment, never write them. */
  private retired = false;

  constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    readonly indexIntervalBytes: number,
    maxIndexBytes: number,
    now: number,
    /** Appended to every file name (Kafka's fileSuffix): the cleaner writes its output as `.cleaned` segments. */
    fileSuffix = '',
  ) {
    const prefix = path.join(dir, filenamePrefixFromOffset(baseOffset));
    this.logFile = prefix + LOG_SUFFIX + fileSuffix;
    this.offsetIndex = new OffsetIndex(prefix + INDEX_SUFFIX + fileSuffix, baseOffset, maxIndexBytes);
    this.timeIndex = new TimeIndex(prefix + TIME_INDEX_SUFFIX + fileSuffix, baseOffset, maxIndexBytes);
    this.txnIndex = new TransactionIndex(prefix + TXN_INDEX_SUFFIX + fileSuffix, baseOffset);
    this.created = now;
  }

  /** Creates an empty segment file (replacing a leftover one). */
  static createSync(dir: string, baseOffset: bigint, indexIntervalBytes: number, maxIndexBytes: number, now: number): LogSegment {
    const seg = new LogSegment(dir, baseOffset, indexIntervalBytes, maxIndexBytes, now);
    seg.fd = fs.openSync(seg.logFile, 'w+');
    // Empty index files from the start, as Kafka creates them with the segment (tools that list them find them).
    for (const f of [seg.offsetIndex.file, seg.timeIndex.file]) fs.writeFileSync(f, '');
    seg.next = baseOffset;
    seg.loaded = true;
    return seg;
  }

  static async create(dir: string, baseOffset: bigint, indexIntervalBytes: number, maxIndexBytes: number, now: number, fileSuffix = ''): Promise<LogSegment> {
    const seg = new LogSegment(dir, baseOffset, indexIntervalBytes, maxIndexBytes, now, fileSuffix);
    seg.fd = await openCb(seg.logFile, 'w+'); // a raw fd: fs.* fd calls are cheaper than FileHandle per write
    await Promise.all([seg.offsetIndex.file, seg.timeIndex.file].map((f) => fs.promises.writeFile(f, '')));
    seg.next = baseOffset;
    seg.loaded = true;
    return seg;
  }

  /** Opens an existing segment without reading indexes (they load on first use, like Kafka's lazy indexes). */
  static openSync(dir: string, baseOffset: bigint, indexIntervalBytes: number, maxIndexBytes: number, now: number): LogSegment {
    const seg = new LogSegment(dir, baseOffset, indexIntervalBytes, maxIndexBytes, now);
    seg.committedSize = fs.statSync(seg.logFile).size;
    return seg;
  }

  private fdSync(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.logFile, 'r+');
    return this.fd;
  }

  /** Bytes readable now. */
  get size(): number {
    return this.committedSize;
  }
  /** Bytes including queued writes (for roll decisions). */
  get sizeWithPending(): number {
    return this.committedSize + this.pendingBytes;
  }

  /** Loads the indexes (rebuilding a missing or insane one) and finds the next offset by scanning the tail. */
  ensureLoaded(): void {
    if (this.loaded) return;
    let rebuild = false;
    try {
      const a = this.offsetIndex.loadSync();
      const b = this.timeIndex.loadSync();
      rebuild = !a || !b;
      if (this.offsetIndex.lastEntry().position >= this.committedSize && this.offsetIndex.entries > 0) {
        throw new CorruptIndexError(this.offsetIndex.file, 'entry points past the end of the log');
      }
    } catch (e) {
      if (!(e instanceof CorruptIndexError)) throw e;
      rebuild = true;
    }
    if (rebuild) {
      this.rebuildIndexesSync();
    } else {
      this.scanTailSync();
      // The time index may not run past the data (e.g. a stale file from a different log).
      if (this.timeIndex.entries > 0 && this.timeIndex.lastEntry().offset >= (this.next as bigint)) this.rebuildIndexesSync();
    }
    this.loaded = true;
  }

  /** Header-only scan from the last index entry to the end: next offset, max timestamp, index bookkeeping. */
  private scanTailSync(): void {
    const start = this.offsetIndex.lastEntry();
    const last = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = last.timestamp;
    this.offsetOfMaxTimestampSoFar = this.timeIndex.entries > 0 ? last.offset : -1n;
    let next = this.baseOffset;
    let bytesSince = 0;
    forEachHeaderSync(this.fdSync(), start.position, this.committedSize, (b) => {
      next = b.lastOffset + 1n;
      bytesSince += b.size;
      if (b.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.lastOffset;
      }
    });
    if (next === this.baseOffset && start.position > 0) next = start.offset; // cannot happen with a sane index
    this.next = next;
    this.bytesSinceLastIndexEntry = bytesSince;
    this.rollingBasedTimestamp = this.firstBatchTimestampSync();
  }

  private firstBatchTimestampSync(): bigint | null {
    return firstBatchTimestampSync(this.fdSync(), this.committedSize);
  }

  private indexBatch(b: BatchLocation): void {
    if (b.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = b.maxTimestamp;
      this.offsetOfMaxTimestampSoFar = b.lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(b.baseOffset, b.position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += b.size;
  }

  private resetIndexState(): void {
    this.recent = [];
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.offsetIndex.markFileStale(Number.MAX_SAFE_INTEGER);
    this.timeIndex.markFileStale(Number.MAX_SAFE_INTEGER);
    this.maxTimestampSoFar = -1n;
    this.offsetOfMaxTimestampSoFar = -1n;
    this.bytesSinceLastIndexEntry = 0;
  }

  /** Rebuilds both indexes from the log's batch headers (no CRC check) and writes them. */
  rebuildIndexesSync(): void {
    this.resetIndexState();
    let next = this.baseOffset;
    forEachHeaderSync(this.fdSync(), 0, this.committedSize, (b) => {
      this.indexBatch(b);
      next = b.lastOffset + 1n;
    });
    this.next = next;
    this.rollingBasedTimestamp = this.firstBatchTimestampSync();
    this.offsetIndex.persistSync();
    this.timeIndex.persistSync();
    this.loaded = true;
  }

  /**
   * Crash recovery: validates every batch (lengths, magic, CRC, increasing offsets), rebuilds the indexes and
   * truncates the file at the first invalid batch. Reads in large chunks; no record is decoded. `onBatch` sees every
   * valid batch in order (the Log rebuilds its leader epochs from the batch headers).
   */
  recoverSync(onBatch?: (baseOffset: bigint, partitionLeaderEpoch: number) => void): RecoveryResult {
    this.resetIndexState();
    // The log's producer state replays this segment's markers on load and writes the entries again (see LogLoader).
    this.txnIndex.reset();
    const fd = this.fdSync();
    const end = this.committedSize;
    const scan = validPrefixSync(fd, end, this.baseOffset, (b, epoch) => {
      this.indexBatch(b);
      onBatch?.(b.baseOffset, epoch);
    });
    const validBytes = scan.validBytes;
    const truncatedBytes = end - validBytes;
    if (truncatedBytes > 0) {
      fs.ftruncateSync(fd, validBytes);
      this.committedSize = validBytes;
    }
    this.next = scan.nextOffset;
    this.rollingBasedTimestamp = this.firstBatchTimestampSync();
    this.offsetIndex.persistSync();
    this.timeIndex.persistSync();
    this.loaded = true;
    return { validBytes, truncatedBytes, firstLostOffset: truncatedBytes > 0 ? scan.firstLost : null, reason: truncatedBytes > 0 ? scan.reason : null };
  }

  /** Offset after the last batch (written or queued). */
  get nextOffset(): bigint {
    this.ensureLoaded();
    return this.next as bigint;
  }

  /** The largest record timestamp, or the file's mtime when no record carries one (Kafka: maxTimestampSoFar >= 0). */
  largestTimestamp(): bigint {
    this.ensureLoaded();
    if (this.maxTimestampSoFar >= 0n) return this.maxTimestampSoFar;
    return BigInt(Math.floor(fs.statSync(this.logFile).mtimeMs));
  }

  // ---- appends ------------------------------------------------------------------------------

  /**
   * Queues `buf` (whole batches with final offsets) for writing and indexes them. Writes coalesce: everything
   * queued while a write is in flight, or within the same event-loop turn, goes out in one writev.
   * Resolves when the bytes are in the OS (they then survive a process crash).
   */
  append(buf: Buffer, batches: AppendedBatch[]): Promise<void> {
    this.ensureLoaded();
    if (this.writeError) return Promise.reject(this.writeError);
    const start = this.committedSize + this.pendingBytes;
    if (this.rollingBasedTimestamp === null && batches.length > 0) this.rollingBasedTimestamp = (batches[0] as AppendedBatch).maxTimestamp;
    for (const b of batches) {
      const loc: BatchLocation = { position: start + b.relativePosition, size: b.size, baseOffset: b.baseOffset, lastOffset: b.lastOffset, maxTimestamp: b.maxTimestamp };
      this.indexBatch(loc);
      this.recent.push(loc);
      this.next = b.lastOffset + 1n;
    }
    if (this.recent.length > 2 * RECENT_BATCHES) this.recent = this.recent.slice(-RECENT_BATCHES);
    this.pendingBytes += buf.length;
    this.queue.push(buf);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.writeLoop());
    }
    return done;
  }

  private async writeLoop(): Promise<void> {
    this.scheduled = false;
    this.writing = true;
    while (this.queue.length > 0) {
      const bufs = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      let total = 0;
      for (const b of bufs) total += b.length;
      try {
        let written = 0;
        let pending: Buffer[] = bufs;
        // writev may write less than asked (disk full): continue with the rest, fail on an error.
        while (written < total) {
          const n = total <= SYNC_WRITE_MAX_BYTES ? fs.writevSync(this.fdSync(), pending, this.committedSize + written) : (await writevCb(this.fdSync(), pending, this.committedSize + written)).bytesWritten;
          if (n <= 0) throw new Error('writev wrote nothing');
          written += n;
          pending = sliceBuffers(pending, n);
        }
        this.committedSize += total;
        this.pendingBytes -= total;
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.writeError = e;
        for (const w of waiters) w.reject(e);
        for (const w of this.waiters) w.reject(e);
        this.waiters = [];
        this.queue = [];
        break;
      }
    }
    this.writing = false;
    const d = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of d) f();
  }

  /** Resolves when every queued write has completed (or failed). */
  drain(): Promise<void> {
    if (!this.writing && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get failed(): unknown {
    return this.writeError;
  }

  /** Called when the segment stops being active: final time index entry (Kafka's onBecomeInactiveSegment). */
  onBecomeInactive(): void {
    this.recent = [];
    this.ensureLoaded();
    if (this.maxTimestampSoFar >= 0n) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
  }

  /** fdatasync the log and write the indexes. */
  async flush(): Promise<void> {
    await this.drain();
    if (this.writeError) throw this.writeError;
    if (this.retired) return;
    if (this.fd >= 0) await fdatasyncCb(this.fd);
    if (this.loaded) await Promise.all([this.offsetIndex.persist(), this.timeIndex.persist()]);
    await this.txnIndex.flush();
  }

  // ---- reads --------------------------------------------------------------------------------

  /** The first batch whose last offset >= offset, searching from the index entry at or below it. */
  async translateOffset(offset: bigint, maxPosition = this.committedSize): Promise<BatchLocation | null> {
    this.ensureLoaded();
    const tail = this.recentBatch(offset);
    if (tail !== undefined) return tail.position + tail.size <= maxPosition ? tail : null;
    return findBatch(this.fdSync(), this.offsetIndex.lookup(offset).position, maxPosition, (b) => b.lastOffset >= offset);
  }

  /**
   * The batch holding `offset` when it is among the recent ones (those before the first recent batch end below
   * it, so the first recent batch whose last offset reaches it is the one); undefined when not known here.
   */
  private recentBatch(offset: bigint): BatchLocation | undefined {
    const r = this.recent;
    if (r.length === 0 || offset < r[0]!.baseOffset || offset > r[r.length - 1]!.lastOffset) return undefined;
    let lo = 0;
    let hi = r.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.lastOffset >= offset) hi = mid;
      else lo = mid + 1;
    }
    return r[lo];
  }

  /**
   * Whole batches starting with the one containing `startOffset`, at most `maxBytes` (but at least one batch when
   * `minOneBatch`), only batches entirely below `maxOffset`. Null when the segment has nothing at or after startOffset.
   */
  async read(startOffset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean, maxPosition = this.committedSize, alloc: (size: number) => Buffer = Buffer.allocUnsafe): Promise<{ records: Buffer; first: BatchLocation; nextOffset: bigint } | null> {
    const first = await this.translateOffset(startOffset, maxPosition);
    if (!first) return null;
    if (first.lastOffset >= maxOffset) return { records: Buffer.alloc(0), first, nextOffset: startOffset };
    let want = Math.min(maxBytes, maxPosition - first.position);
    if (first.size > want) {
      if (!minOneBatch) return { records: Buffer.alloc(0), first, nextOffset: startOffset };
      want = first.size;
    }
    const buf = alloc(want);
    // Batches appended moments ago are in the page cache: a small read of them costs less than the trip to the
    // thread pool and back, which sits on the path of every acks=-1 produce (the followers' fetches).
    const n = want <= SYNC_READ_MAX_BYTES && this.recentBatch(startOffset) !== undefined
      ? preadSync(this.fdSync(), buf, 0, want, first.position)
      : await pread(this.fdSync(), buf, 0, want, first.position);
    // Keep only whole batches below maxOffset.
    let nextOffset = startOffset;
    const it = new BatchIterator(buf, 0, n);
    while (it.next()) {
      const last = it.lastOffset;
      if (last >= maxOffset) break;
      nextOffset = last + 1n;
    }
    return { records: buf.subarray(0, it.position), first, nextOffset };
  }

  /**
   * Kafka's findOffsetByTimestamp: the first record (offset >= startOffset) with timestamp >= target, in offset order
   * within the first batch whose max timestamp reaches the target. Only batch headers are scanned; that one batch is
   * read and decompressed. Record timestamps need not be monotonic, hence offset order rather than nearest time.
   */
  async findOffsetByTimestamp(target: bigint, startOffset: bigint): Promise<TimestampLookup | null> {
    this.ensureLoaded();
    const t = this.timeIndex.lookup(target);
    let from = this.offsetIndex.lookup(t.offset > startOffset ? t.offset : startOffset).position;
    const end = this.committedSize;
    for (;;) {
      const b = await findBatch(this.fdSync(), from, end, (x) => x.lastOffset >= startOffset && x.maxTimestamp >= target);
      if (!b) return null;
      const found = await searchBatch(this.fdSync(), this.logFile, b, target, startOffset);
      if (found) return found;
      from = b.position + b.size;
    }
  }

  /**
   * Before a compacted copy takes this segment's file names: load the indexes and open the fd now, so readers still
   * holding this object keep reading the old inode with matching in-memory indexes, and never write the files again.
   */
  retire(): void {
    this.ensureLoaded();
    this.txnIndex.ensureLoaded();
    this.fdSync();
    this.retired = true;
  }

  /** Closes the fd of a retired segment (its files now belong to the replacement). */
  async release(): Promise<void> {
    await this.closeFd();
  }

  // ---- truncation and deletion --------------------------------------------------------------

  /** Removes every batch with lastOffset >= offset (whole batches); returns bytes removed. Caller drained writes. */
  async truncateTo(offset: bigint): Promise<number> {
    this.ensureLoaded();
    const loc = await this.translateOffset(offset);
    if (!loc) return 0;
    const removed = this.committedSize - loc.position;
    this.recent = this.recent.filter((b) => b.position + b.size <= loc.position);
    await ftruncateCb(this.fdSync(), loc.position);
    this.committedSize = loc.position;
    this.offsetIndex.truncateToPosition(loc.position);
    this.timeIndex.truncateToOffset(loc.baseOffset);
    this.txnIndex.truncateTo(offset);
    // Recompute tail state from the last remaining index entry.
    this.next = null;
    this.scanTailSync();
    await Promise.all([this.offsetIndex.persist(), this.timeIndex.persist()]);
    return removed;
  }

  /** Renames the files to *.deleted (Kafka's asynchronous delete, step one). */
  async renameToDeleted(): Promise<void> {
    for (const f of this.files()) {
      try {
        await fs.promises.rename(f, f + DELETED_SUFFIX);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }

  /** Closes the fd and removes the files (either name). */
  async deleteFiles(): Promise<void> {
    await this.closeFd();
    for (const f of this.files()) {
      await fs.promises.rm(f, { force: true });
      await fs.promises.rm(f + DELETED_SUFFIX, { force: true });
    }
  }

  /** Every file of the segment (the .txnindex may not exist). */
  files(): string[] {
    return [this.logFile, this.offsetIndex.file, this.timeIndex.file, this.txnIndex.file];
  }

  private async closeFd(): Promise<void> {
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      await closeCb(fd);
    }
  }

  /** Drains writes, writes the indexes (trimmed to real size) and closes the file. */
  async close(): Promise<void> {
    await this.drain();
    if (this.loaded && !this.writeError && !this.retired) await Promise.all([this.offsetIndex.persist(), this.timeIndex.persist()]);
    await this.closeFd();
  }

  closeSyncNoFlush(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function sliceBuffers(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  let left = skip;
  for (const b of bufs) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
}
