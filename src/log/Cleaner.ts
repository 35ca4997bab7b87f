// Kafka's Cleaner: one clean of one log. Builds a bounded key-hash → offset map over the log's dirty part, rewrites its
// older segments group by group outside the log lock and has each group swapped in (SegmentSwap.replaceSegments).
//
// Off the hot path: the cleaner reads segments in bounded chunks through its own file descriptors, runs one disk or
// codec job at a time (so it holds at most one of libuv's threads), and gives the event loop back between chunks and
// whenever it has computed for a few milliseconds.
import * as fs from 'fs';
import { setImmediate as nextTurn } from 'timers/promises';
import { BatchIterator, LOG_OVERHEAD, RECORD_COUNT, batchSize, checkBatch, isControl, readBatchHeader } from '../protocol/record/batch-header';
import { Logger, moduleLogger } from '../util/logger';
import { AbortedTxnFilter, carryAbortedTxns } from './cleanerTxns';
import { filterBatch, readBatchRecords, scanRecords, type RetainRecord } from './compaction';
import type { Log } from './Log';
import { CLEANED_SUFFIX, LogSegment } from './LogSegment';
import { SkimpyOffsetMap } from './OffsetMap';
import { replaceSegments } from './SegmentSwap';

/** Kafka's CleanerConfig, under the broker properties it comes from. */
export interface CleanerConfig {
  /** log.cleaner.dedupe.buffer.size: the most memory the key → offset map may take. */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.load.factor: how full the map may get. */
  loadFactor: number;
  /** log.cleaner.io.buffer.size: bytes read from a segment at a time (a larger batch is read whole). */
  ioBufferSize: number;
}

export const DEFAULT_CLEANER_CONFIG: Readonly<CleanerConfig> = Object.freeze({
  dedupeBufferSize: 128 * 1024 * 1024,
  loadFactor: 0.9,
  ioBufferSize: 512 * 1024,
});

/** How long the cleaner computes before it lets other work run. */
const SLICE_MS = 2;
const INT32_MAX = 0x7fffffffn;

export class CleaningAbortedError extends Error {
  constructor(reason: string) {
    super(`cleaning aborted: ${reason}`);
    this.name = 'CleaningAbortedError';
  }
}

export interface CleanResult {
  /** Where this clean's dirty range started. */
  firstDirtyOffset: bigint;
  /** The first offset not cleaned: the next clean's first dirty offset (the new checkpoint). */
  endOffset: bigint;
  /** Source segments replaced by cleaned ones. */
  segmentsCleaned: number;
  /** Cleaned segments swapped in (fewer than segmentsCleaned when small segments were merged). */
  segmentsWritten: number;
  /** Bytes of the replaced segments, and of their replacements. */
  bytesBefore: number;
  bytesAfter: number;
  /** Bytes read while building the map and while cleaning. */
  bytesRead: number;
  recordsRead: number;
  recordsKept: number;
  /** Keys in the map; true when it filled up before the end of the dirty range. */
  mapEntries: number;
  mapFull: boolean;
  durationMs: number;
}

/** The segments of `segs` (sorted, none empty of meaning) holding any offset of [from, to): Kafka's logSegments(from, to). */
export function overlapping(segs: readonly LogSegment[], from: bigint, to: bigint): LogSegment[] {
  return segs.filter((s, i) => s.baseOffset < to && (i + 1 >= segs.length || (segs[i + 1] as LogSegment).baseOffset > from));
}

/** The part of a log one clean covers: from its first dirty offset up to (not including) a segment base. */
export interface CleanRange {
  log: Log;
  firstDirtyOffset: bigint;
  /** Segment base below which the clean may go (active segment, high watermark, min.compaction.lag.ms). */
  firstUncleanableOffset: bigint;
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments whose data together stays within segment.bytes, whose indexes
 * together stay within segment.index.bytes, and whose offsets fit one segment's int32 relative offsets, become one
 * cleaned segment. `end` bounds the last segment's offsets.
 */
export function groupSegmentsBySize(segs: readonly LogSegment[], maxSize: number, maxIndexSize: number, end: bigint): LogSegment[][] {
  const groups: LogSegment[][] = [];
  const lastOffsetOf = (i: number): bigint => (i + 1 < segs.length ? (segs[i + 1] as LogSegment).baseOffset : end) - 1n;
  const indexBytes = (s: LogSegment): number => {
    void s.nextOffset; // loads the indexes
    return Math.max(s.offsetIndex.entries * 8, s.timeIndex.entries * 12);
  };
  let i = 0;
  while (i < segs.length) {
    const first = segs[i] as LogSegment;
    const group = [first];
    let size = first.size;
    let index = indexBytes(first);
    i++;
    while (i < segs.length) {
      const next = segs[i] as LogSegment;
      const nextIndex = indexBytes(next);
      if (size + next.size > maxSize || index + nextIndex > maxIndexSize || lastOffsetOf(i) - first.baseOffset > INT32_MAX) break;
      group.push(next);
      size += next.size;
      index += nextIndex;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/** Reads whole batches of one segment file in bounded chunks, through a file descriptor of its own. */
class SegmentReader {
  /** Reused for every chunk (fewer large allocations, so fewer collections): a chunk's batches are views of it. */
  private buf = Buffer.allocUnsafe(0);

  private constructor(
    private readonly fh: fs.promises.FileHandle,
    private readonly file: string,
    private readonly end: number,
  ) {}

  /** Opens a segment's file; a segment deleted meanwhile aborts the clean. */
  static async open(seg: LogSegment, end: number): Promise<SegmentReader> {
    try {
      return new SegmentReader(await fs.promises.open(seg.logFile, 'r'), seg.logFile, end);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CleaningAbortedError(`${seg.logFile} is gone`);
      throw e;
    }
  }

  /**
   * The whole batches of the chunk at `position`, at least one batch even when it is larger than a chunk, and the
   * position after them; null at the end. The batches are views of a buffer the next read overwrites: the caller is
   * done with them (written, copied) before reading again. They are checked (length, magic, CRC) so a damaged record
   * is never re-signed with a fresh CRC.
   */
  async read(position: number, chunkSize: number): Promise<{ batches: Buffer[]; next: number } | null> {
    if (position >= this.end) return null;
    let want = Math.min(chunkSize, this.end - position);
    for (;;) {
      if (this.buf.length < want) this.buf = Buffer.allocUnsafe(Math.max(want, chunkSize));
      const buf = this.buf.subarray(0, want);
      const { bytesRead } = await this.fh.read(buf, 0, want, position);
      if (bytesRead < want) throw new CleaningAbortedError(`${this.file} shrank while being cleaned`);
      const check = (p: number, size: number): void => {
        const r = checkBatch(buf, p, p + size);
        if (typeof r !== 'number') throw new Error(`${this.file}: batch at position ${position + p}: ${r.reason}`);
      };
      const batches: Buffer[] = [];
      const it = new BatchIterator(buf, 0, want);
      while (it.next()) {
        check(it.position, it.size);
        batches.push(buf.subarray(it.position, it.position + it.size));
      }
      const p = it.position;
      // Stopped at a batch running past the chunk (read again from its start), or at a length no batch can have.
      if (want - p >= LOG_OVERHEAD && p + batchSize(buf, p) <= want) check(p, batchSize(buf, p));
      if (p > 0) return { batches, next: position + p };
      // The first batch alone is larger than the chunk: read exactly that batch.
      const size = batchSize(buf);
      if (want < LOG_OVERHEAD || size <= want || position + size > this.end) {
        throw new Error(`${this.file}: batch at position ${position} of ${size} bytes does not fit the ${this.end - position} bytes left`);
      }
      want = size;
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** The cleaned segments of one group: `.cleaned` files, split at segment.bytes, int32 offsets and full indexes. */
class CleanedSegments {
  readonly segments: LogSegment[] = [];
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: Log,
    private readonly now: number,
  ) {}

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.sizeWithPending, 0);
  }

  private async start(baseOffset: bigint): Promise<LogSegment> {
    const cfg = this.log.config;
    const seg = await LogSegment.create(this.log.dir, baseOffset, cfg['index.interval.bytes'], cfg['segment.index.bytes'], this.now, CLEANED_SUFFIX);
    this.segments.push(seg);
    return seg;
  }

  /** Opens the first output at the group's base offset (Kafka keeps it even if every record goes). */
  async open(baseOffset: bigint): Promise<void> {
    await this.start(baseOffset);
  }

  /** Queues one batch; the writes of a chunk go out together (see {@link flushWrites}). */
  async append(batch: Buffer): Promise<void> {
    const h = readBatchHeader(batch);
    const lastOffset = h.baseOffset + BigInt(h.lastOffsetDelta);
    let cur = this.segments[this.segments.length - 1] as LogSegment;
    const full = cur.sizeWithPending + batch.length > this.log.config['segment.bytes'] || lastOffset - cur.baseOffset > INT32_MAX || cur.offsetIndex.isFull() || cur.timeIndex.isFull();
    if (full && cur.sizeWithPending > 0) {
      await this.finishSegment(cur);
      cur = await this.start(h.baseOffset);
    }
    const written = cur.append(batch, [{ relativePosition: 0, size: batch.length, baseOffset: h.baseOffset, lastOffset, maxTimestamp: h.maxTimestamp }]);
    // Writes complete in order and a failed one fails every later one, so waiting for the last is enough.
    written.catch(() => undefined);
    this.written = written;
  }

  /** Waits for the queued writes (a chunk's batches are written in one writev). */
  flushWrites(): Promise<void> {
    return this.written;
  }

  private async finishSegment(seg: LogSegment): Promise<void> {
    await seg.drain();
    seg.onBecomeInactive();
    await seg.flush(); // data and indexes on disk before any swap
  }

  /** Completes every output (fsynced, closed), dated like the last source segment as Kafka does. */
  async finish(mtimeMs: number): Promise<void> {
    await this.finishSegment(this.segments[this.segments.length - 1] as LogSegment);
    for (const s of this.segments) await s.txnIndex.flush();
    const t = new Date(mtimeMs);
    for (const s of this.segments) {
      await s.close();
      await fs.promises.utimes(s.logFile, t, t);
    }
  }

  /** Removes every output file (an aborted or pointless clean). */
  async discard(): Promise<void> {
    for (const s of this.segments) await s.deleteFiles().catch(() => undefined);
  }
}

export interface CleanerOptions {
  /** Checked between chunks: a true answer aborts the clean (shutdown, log deletion). */
  shouldAbort?: () => boolean;
  logger?: Logger;
}

/** Cleans one log at a time with one offset map (Kafka's Cleaner, one per cleaner thread). */
export class Cleaner {
  readonly config: CleanerConfig;
  private readonly map: SkimpyOffsetMap;
  private readonly shouldAbort: () => boolean;
  private readonly logger: Logger;
  private sliceStart = 0;

  constructor(config: Partial<CleanerConfig> = {}, opts: CleanerOptions = {}) {
    this.config = { ...DEFAULT_CLEANER_CONFIG, ...config };
    this.map = new SkimpyOffsetMap(this.config.dedupeBufferSize, this.config.loadFactor);
    this.shouldAbort = opts.shouldAbort ?? (() => false);
    this.logger = opts.logger ?? moduleLogger('log-cleaner');
  }

  /** Entries the map holds at most. */
  get mapCapacity(): number {
    return this.map.maxEntries;
  }

  private checkDone(log: Log): void {
    if (this.shouldAbort()) throw new CleaningAbortedError('requested');
    if (log.isOffline) throw new CleaningAbortedError('log offline');
  }

  /** Lets the event loop run once this slice of computing has lasted SLICE_MS. */
  private async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }

  private async yieldNow(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }

  /**
   * Cleans `ltc.log` from its first dirty offset up to its first uncleanable offset (Kafka's Cleaner.clean): builds
   * the map over the dirty segments (stopping where it fills up), then rewrites every segment below the end of the
   * map, group by group, each group swapped in as soon as it is written. A truncation, retention or deletion that
   * touches the segments involved aborts the clean (CleaningAbortedError); groups swapped in before stay, they are
   * consistent on their own.
   */
  async clean(ltc: CleanRange, now: number): Promise<CleanResult> {
    const { log, firstDirtyOffset: firstDirty, firstUncleanableOffset: upper } = ltc;
    const t0 = performance.now();
    this.sliceStart = t0;
    const result: CleanResult = { firstDirtyOffset: firstDirty, endOffset: firstDirty, segmentsCleaned: 0, segmentsWritten: 0, bytesBefore: 0, bytesAfter: 0, bytesRead: 0, recordsRead: 0, recordsKept: 0, mapEntries: 0, mapFull: false, durationMs: 0 };
    const segs = log.logSegments();
    if (!log.config['cleanup.policy'].includes('compact')) return result;
    try {
      const mapEnd = await this.buildOffsetMap(log, segs, firstDirty, upper, result);
      result.mapEntries = this.map.size;
      if (mapEnd <= firstDirty) return result; // not even one batch fit the map
      result.endOffset = mapEnd;
      // Tombstones go once their segment is older than the newest clean segment by delete.retention.ms (Kafka 2.x).
      const lastClean = overlapping(segs, -1n, firstDirty).pop();
      const deleteHorizonMs = lastClean ? (await this.mtime(lastClean)) - log.config['delete.retention.ms'] : 0;
      // The segment after the one holding the map's last offset: a truncation below it would take away records the
      // map counts on, and removes it, so its presence at swap time shows the map still holds.
      const lastMapped = overlapping(segs, mapEnd - 1n, mapEnd)[0] as LogSegment;
      const guardEnd = segs.indexOf(lastMapped) + 2;
      const toClean = overlapping(segs, -1n, mapEnd);
      const groups = groupSegmentsBySize(toClean, log.config['segment.bytes'], log.config['segment.index.bytes'], mapEnd);
      for (const group of groups) {
        const expected = segs.slice(segs.indexOf(group[0] as LogSegment), guardEnd);
        await this.cleanGroup(log, group, expected, deleteHorizonMs, now, result);
      }
      return result;
    } finally {
      this.map.clear();
      result.durationMs = Math.round(performance.now() - t0);
    }
  }

  private async mtime(seg: LogSegment): Promise<number> {
    try {
      return (await fs.promises.stat(seg.logFile)).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CleaningAbortedError(`${seg.logFile} is gone`);
      throw e;
    }
  }

  /**
   * Kafka's buildOffsetMap: every keyed record of [firstDirty, upper) into the map, segment by segment, until the map
   * is full. Returns the offset after the last one mapped (gaps up to a segment's end count as mapped).
   */
  private async buildOffsetMap(log: Log, segs: readonly LogSegment[], firstDirty: bigint, upper: bigint, result: CleanResult): Promise<bigint> {
    const map = this.map;
    map.clear();
    const dirty = overlapping(segs, firstDirty, upper);
    const start = Number(firstDirty);
    // Records of aborted transactions never shadow a key (Kafka's buildOffsetMap skips aborted batches).
    const aborted = new AbortedTxnFilter(log.collectAbortedTransactions(firstDirty, upper));
    for (let i = 0; i < dirty.length; i++) {
      const seg = dirty[i] as LogSegment;
      void seg.nextOffset; // loads the index
      const reader = await SegmentReader.open(seg, seg.size);
      try {
        // Dirty segments lie wholly below `upper` (a segment base), so only the start needs a bound.
        for (let position = seg.offsetIndex.lookup(firstDirty).position; ;) {
          this.checkDone(log);
          const chunk = await reader.read(position, this.config.ioBufferSize);
          if (!chunk) break;
          for (const batch of chunk.batches) {
            result.bytesRead += batch.length;
            const h = readBatchHeader(batch);
            const last = Number(h.baseOffset) + h.lastOffsetDelta;
            if (last < start || isControl(h.attributes)) continue;
            if (aborted.isAborted(batch)) {
              map.updateLatestOffset(last);
              continue;
            }
            const { section } = await readBatchRecords(batch);
            let full = false;
            scanRecords(section, h, (r) => {
              if (full || r.keyStart < 0 || r.offset < start) return;
              if (map.isFull()) full = true;
              else map.put(section, r.offset, r.keyStart, r.keyEnd);
            });
            if (full) {
              result.mapFull = true;
              return BigInt(map.latestOffset + 1);
            }
            map.updateLatestOffset(last);
            if (map.wantsToGrow) await map.grow(() => this.yieldNow(), SLICE_MS); // rehashed in slices, not in one long turn
            await this.maybeYield();
          }
          position = chunk.next;
          await this.yieldNow();
        }
      } finally {
        await reader.close();
      }
      // Offsets missing at the end of a segment (compacted away earlier) count as mapped.
      const next = i + 1 < dirty.length ? (dirty[i + 1] as LogSegment).baseOffset : upper;
      map.updateLatestOffset(Number(next < upper ? next : upper) - 1);
    }
    return BigInt(map.latestOffset + 1);
  }

  /**
   * Kafka's cleanSegments: writes the group's surviving records into `.cleaned` segments, then swaps them in. A
   * single segment that keeps every record (and needs no split) is left alone.
   */
  private async cleanGroup(log: Log, group: LogSegment[], expected: LogSegment[], deleteHorizonMs: number, now: number, result: CleanResult): Promise<void> {
    const map = this.map;
    const latest = map.latestOffset;
    const out = new CleanedSegments(log, now);
    let changed = group.length > 1;
    let committed = false;
    let lastMtime = 0;
    // Aborted transactions' records go whatever the map says (Kafka's cleanInto discards aborted batches).
    const next = expected[group.length];
    const aborted = new AbortedTxnFilter(log.collectAbortedTransactions((group[0] as LogSegment).baseOffset, next ? next.baseOffset : log.logEndOffset));
    try {
      await out.open((group[0] as LogSegment).baseOffset);
      for (const seg of group) {
        lastMtime = await this.mtime(seg);
        const retainDeletes = lastMtime > deleteHorizonMs;
        const retain: RetainRecord = (r, section) => {
          if (r.offset > latest) return true; // past the map: still dirty
          if (r.keyStart < 0) return false; // a compacted topic's record without a key (Kafka drops it)
          return r.offset >= map.get(section, r.keyStart, r.keyEnd) && (r.hasValue || retainDeletes);
        };
        const reader = await SegmentReader.open(seg, seg.size);
        try {
          for (let position = 0; ;) {
            this.checkDone(log);
            const chunk = await reader.read(position, this.config.ioBufferSize);
            if (!chunk) break;
            for (const batch of chunk.batches) {
              result.recordsRead += batch.readInt32BE(RECORD_COUNT);
              result.bytesRead += batch.length;
              // Control batches (markers) stay: Kafka removes them after delete.retention.ms once their transaction has no
              // record left; keeping them costs a few bytes and keeps read_committed filtering and the txnindex right.
              const kept = aborted.isAborted(batch) ? null : await filterBatch(batch, retain);
              if (kept !== batch) changed = true;
              if (kept) {
                result.recordsKept += kept.readInt32BE(RECORD_COUNT);
                await out.append(kept);
              }
              await this.maybeYield();
            }
            await out.flushWrites();
            position = chunk.next;
            await this.yieldNow();
          }
        } finally {
          await reader.close();
        }
      }
      if (!changed && out.segments.length === 1) return; // same bytes as the source: nothing to swap
      carryAbortedTxns(group, out.segments);
      await out.finish(lastMtime);
      this.checkDone(log);
      const bases = out.segments.map((s) => s.baseOffset);
      if (!(await replaceSegments(log, group, expected, bases))) throw new CleaningAbortedError('the log changed under the clean (truncation, retention or deletion)');
      committed = true;
      const before = group.reduce((n, s) => n + s.size, 0);
      const after = out.bytes;
      result.segmentsCleaned += group.length;
      result.segmentsWritten += bases.length;
      result.bytesBefore += before;
      result.bytesAfter += after;
      this.logger.debug({ topicPartition: `${log.topic}-${log.partition}`, replaced: group.map((s) => s.baseOffset.toString()), cleaned: bases.map(String), bytesBefore: before, bytesAfter: after }, 'swapped in cleaned segments');
    } finally {
      if (!committed) await out.discard();
    }
  }
}

