// One segment of a partition log: the .log file of record batches plus its .index and .timeindex.
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { BATCH_HEADER_SIZE, BASE_OFFSET, BatchIterator, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, batchSize, checkBatch } from '../protocol/record/batch-header';
import { batchRecordTimestamps } from '../protocol/record/records';
import { LogError, LogErrorCode } from './errors';
import { CorruptIndexError, OffsetIndex, TimeIndex } from './indexes';

const preadCb = promisify(fs.read);
const writevCb = promisify(fs.writev);
const fdatasyncCb = promisify(fs.fdatasync);
const closeCb = promisify(fs.close);
const openCb = promisify(fs.open);
const ftruncateCb = promisify(fs.ftruncate);

export const LOG_SUFFIX = '.log';
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

async function pread(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await preadCb(fd, buf, offset + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

function preadSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** A batch located in a segment file (header fields needed by the log only). */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** The iterator's current batch, read from a chunk that starts at `chunkPosition` in the file. */
function batchLocation(it: BatchIterator, chunkPosition: number): BatchLocation {
  const baseOffset = it.baseOffset;
  return { position: chunkPosition + it.position, size: it.size, baseOffset, lastOffset: baseOffset + BigInt(it.buf.readInt32BE(it.position + LAST_OFFSET_DELTA)), maxTimestamp: it.maxTimestamp };
}

/** Per-batch facts the Log hands over with an append (positions relative to the appended buffer). */
export interface AppendedBatch {
  relativePosition: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** A ListOffsets-by-time answer: the record's offset and timestamp, and its batch's partitionLeaderEpoch (-1: none). */
export interface TimestampLookup {
  offset: bigint;
  timestamp: bigint;
  leaderEpoch: number;
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

const SCAN_CHUNK = 8 * 1024; // header scans are short: the index puts an entry every index.interval.bytes
const RECOVERY_CHUNK = 8 * 1024 * 1024;

export class LogSegment {
  readonly logFile: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
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
    this.forEachHeaderSync(start.position, this.committedSize, (b) => {
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
    if (this.committedSize < BATCH_HEADER_SIZE) return null;
    const h = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    preadSync(this.fdSync(), h, 0, BATCH_HEADER_SIZE, 0);
    return h.readBigInt64BE(MAX_TIMESTAMP);
  }

  /** Visits batch headers in [from, to) synchronously; stops at an incomplete batch. Returns the end position reached. */
  private forEachHeaderSync(from: number, to: number, visit: (b: BatchLocation) => void): number {
    const fd = this.fdSync();
    const buf = Buffer.allocUnsafe(SCAN_CHUNK);
    let pos = from;
    while (to - pos >= BATCH_HEADER_SIZE) {
      const n = preadSync(fd, buf, 0, Math.min(SCAN_CHUNK, to - pos), pos);
      // Headers only: a batch's records may lie past the chunk, so batches are bounded by `to`, headers by the chunk.
      const it = new BatchIterator(buf, 0, to - pos, n);
      while (it.next()) visit(batchLocation(it, pos));
      // Stopped at a header that was read (an impossible length, or a batch past `to`), or at an early end of file.
      if (n - it.position >= BATCH_HEADER_SIZE || it.position === 0) return pos + it.position;
      pos += it.position;
    }
    return pos;
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
    this.forEachHeaderSync(0, this.committedSize, (b) => {
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
   * truncates the file at the first invalid batch. Reads in large chunks; no record is decoded.
   */
  /** `onBatch` sees every valid batch in order (the Log rebuilds its leader epochs from the batch headers). */
  recoverSync(onBatch?: (baseOffset: bigint, partitionLeaderEpoch: number) => void): RecoveryResult {
    this.resetIndexState();
    const fd = this.fdSync();
    let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(this.committedSize, BATCH_HEADER_SIZE)));
    let pos = 0;
    let next = this.baseOffset;
    let reason: string | null = null;
    let firstLost: bigint | null = null;
    const end = this.committedSize;
    while (pos < end) {
      const n = preadSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
      let p = 0;
      let stop = false;
      while (p < n) {
        const r = checkBatch(chunk, p, n);
        if (typeof r !== 'number') {
          if (r.kind === 'truncated' && pos + n < end) {
            // The batch runs past this chunk: re-read from its start, with a bigger chunk if it alone is bigger.
            if (p > 0) break;
            const need = batchSize(chunk, p);
            if (need > chunk.length && need <= end - pos) {
              chunk = Buffer.allocUnsafe(need);
              break;
            }
          }
          reason = r.reason;
          if (n - p >= 8) firstLost = chunk.readBigInt64BE(p + BASE_OFFSET);
          stop = true;
          break;
        }
        const baseOffset = chunk.readBigInt64BE(p + BASE_OFFSET);
        const lastOffset = baseOffset + BigInt(chunk.readInt32BE(p + LAST_OFFSET_DELTA));
        if (baseOffset < next || lastOffset < baseOffset) {
          reason = `batch offsets ${baseOffset}..${lastOffset} do not follow ${next - 1n}`;
          firstLost = baseOffset;
          stop = true;
          break;
        }
        this.indexBatch({ position: pos + p, size: r, baseOffset, lastOffset, maxTimestamp: chunk.readBigInt64BE(p + MAX_TIMESTAMP) });
        onBatch?.(baseOffset, chunk.readInt32BE(p + PARTITION_LEADER_EPOCH));
        next = lastOffset + 1n;
        p += r;
      }
      pos += p;
      if (stop) break;
    }
    const validBytes = Math.min(pos, end);
    const truncatedBytes = end - validBytes;
    if (truncatedBytes > 0) {
      fs.ftruncateSync(fd, validBytes);
      this.committedSize = validBytes;
    }
    this.next = next;
    this.rollingBasedTimestamp = this.firstBatchTimestampSync();
    this.offsetIndex.persistSync();
    this.timeIndex.persistSync();
    this.loaded = true;
    return { validBytes, truncatedBytes, firstLostOffset: truncatedBytes > 0 ? firstLost : null, reason: truncatedBytes > 0 ? reason : null };
  }

  /** Offset after the last batch (written or queued). */
  get nextOffset(): bigint {
    this.ensureLoaded();
    return this.next as bigint;
  }

  /** Largest timestamp in the segment, falling back to the file's mtime like Kafka when there is none. */
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
      this.indexBatch({ position: start + b.relativePosition, size: b.size, baseOffset: b.baseOffset, lastOffset: b.lastOffset, maxTimestamp: b.maxTimestamp });
      this.next = b.lastOffset + 1n;
    }
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
          const n = (await writevCb(this.fdSync(), pending, this.committedSize + written)).bytesWritten;
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
  }

  // ---- reads --------------------------------------------------------------------------------

  /** Visits batch headers in [from, to) asynchronously until `visit` returns false. */
  private async scanHeaders(from: number, to: number, visit: (b: BatchLocation) => boolean): Promise<void> {
    const fd = this.fdSync();
    const buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, Math.max(to - from, BATCH_HEADER_SIZE)));
    let pos = from;
    while (to - pos >= BATCH_HEADER_SIZE) {
      const n = await pread(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n < BATCH_HEADER_SIZE) return;
      const it = new BatchIterator(buf, 0, to - pos, n);
      while (it.next()) if (!visit(batchLocation(it, pos))) return;
      if (n - it.position >= BATCH_HEADER_SIZE) return; // an impossible length, or a batch past `to`
      pos += it.position;
    }
  }

  /** The first batch in [from, to) that `match` accepts, reading headers only. */
  private async findBatch(from: number, to: number, match: (b: BatchLocation) => boolean): Promise<BatchLocation | null> {
    let found: BatchLocation | null = null;
    await this.scanHeaders(from, to, (b) => {
      if (!match(b)) return true;
      found = b;
      return false;
    });
    return found;
  }

  /** The first batch whose last offset >= offset, searching from the index entry at or below it. */
  async translateOffset(offset: bigint, maxPosition = this.committedSize): Promise<BatchLocation | null> {
    this.ensureLoaded();
    return this.findBatch(this.offsetIndex.lookup(offset).position, maxPosition, (b) => b.lastOffset >= offset);
  }

  /**
   * Whole batches starting with the one containing `startOffset`, at most `maxBytes` (but at least one batch when
   * `minOneBatch`), only batches entirely below `maxOffset`. Null when the segment has nothing at or after startOffset.
   */
  async read(startOffset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean, maxPosition = this.committedSize): Promise<{ records: Buffer; first: BatchLocation; nextOffset: bigint } | null> {
    const first = await this.translateOffset(startOffset, maxPosition);
    if (!first) return null;
    if (first.lastOffset >= maxOffset) return { records: Buffer.alloc(0), first, nextOffset: startOffset };
    let want = Math.min(maxBytes, maxPosition - first.position);
    if (first.size > want) {
      if (!minOneBatch) return { records: Buffer.alloc(0), first, nextOffset: startOffset };
      want = first.size;
    }
    const buf = Buffer.allocUnsafe(want);
    const n = await pread(this.fdSync(), buf, 0, want, first.position);
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
      const b = await this.findBatch(from, end, (x) => x.lastOffset >= startOffset && x.maxTimestamp >= target);
      if (!b) return null;
      const found = await this.searchBatch(b, target, startOffset);
      if (found) return found;
      from = b.position + b.size;
    }
  }

  /** Reads the batch at `b` and answers its first record with offset >= startOffset and timestamp >= target. */
  private async searchBatch(b: BatchLocation, target: bigint, startOffset: bigint): Promise<TimestampLookup | null> {
    const buf = Buffer.allocUnsafe(b.size);
    if ((await pread(this.fdSync(), buf, 0, b.size, b.position)) < b.size) return null;
    try {
      for (const r of await batchRecordTimestamps(buf)) {
        if (r.timestamp >= target && r.offset >= startOffset) return { offset: r.offset, timestamp: r.timestamp, leaderEpoch: buf.readInt32BE(PARTITION_LEADER_EPOCH) };
      }
    } catch (e) {
      // A batch whose records cannot be read is bad data, not a failing disk (Kafka: CORRUPT_MESSAGE).
      throw new LogError(LogErrorCode.CORRUPT_MESSAGE, `${this.logFile}: records of the batch at position ${b.position} (offsets ${b.baseOffset}..${b.lastOffset}) cannot be read: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    return null;
  }

  /**
   * Before a compacted copy takes this segment's file names: load the indexes and open the fd now, so readers still
   * holding this object keep reading the old inode with matching in-memory indexes, and never write the files again.
   */
  retire(): void {
    this.ensureLoaded();
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
    await ftruncateCb(this.fdSync(), loc.position);
    this.committedSize = loc.position;
    this.offsetIndex.truncateToPosition(loc.position);
    this.timeIndex.truncateToOffset(loc.baseOffset);
    // Recompute tail state from the last remaining index entry.
    this.next = null;
    this.scanTailSync();
    await Promise.all([this.offsetIndex.persist(), this.timeIndex.persist()]);
    return removed;
  }

  /** Renames the files to *.deleted (Kafka's asynchronous delete, step one). */
  async renameToDeleted(): Promise<void> {
    for (const f of [this.logFile, this.offsetIndex.file, this.timeIndex.file]) {
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
    for (const f of [this.logFile, this.offsetIndex.file, this.timeIndex.file]) {
      await fs.promises.rm(f, { force: true });
      await fs.promises.rm(f + DELETED_SUFFIX, { force: true });
    }
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
