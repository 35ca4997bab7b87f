// OffsetIndex (.index) and TimeIndex (.timeindex): sparse per-segment indexes held in memory, persisted append-only.
//
// Why in memory rather than Kafka's preallocated mmap: Node has no mmap, and writing one 8- or 12-byte entry per
// index.interval.bytes would cost a syscall each. Entries live in typed arrays (8 bytes per 4 KiB of log: a 1 GiB
// segment needs 2 MiB), are lookups by binary search, and are written to the file in Kafka's exact format
// (big-endian int32 relOffset + int32 position; int64 timestamp + int32 relOffset) on flush, roll and close,
// appending only entries not yet written and trimming the file after truncation. The file therefore always has
// its real size, never a preallocated tail. segment.index.bytes still bounds the entry count (a full index rolls).
// Segments past the recovery point get their indexes rebuilt after a crash, so an index file lagging its log
// is harmless there; below the recovery point every index was persisted before the recovery point moved.
import * as fs from 'fs';
import * as fsp from 'fs/promises';
import { floorIndex } from '../util/binarySearch';

export class CorruptIndexError extends Error {
  constructor(file: string, reason: string) {
    super(`corrupt index ${file}: ${reason}`);
    this.name = 'CorruptIndexError';
  }
}

function readIfExists(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Writes `data` (already encoded) at byte `at`, trims the file to `trimTo` when given, and fsyncs. The bytes are
 * encoded by the caller before this first await, so a truncation running meanwhile cannot change what is written.
 */
async function writeEntries(file: string, data: Buffer | null, at: number, trimTo: number | null): Promise<void> {
  const fh = await fsp.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT);
  try {
    if (data) await fh.write(data, 0, data.length, at);
    if (trimTo !== null) await fh.truncate(trimTo);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function persistEntriesSync(file: string, entrySize: number, persisted: number, count: number, encode: (from: number, to: number) => Buffer, fileSize: number): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT);
  try {
    if (count > persisted) fs.writeSync(fd, encode(persisted, count), 0, (count - persisted) * entrySize, persisted * entrySize);
    if (fileSize > count * entrySize) fs.ftruncateSync(fd, count * entrySize);
  } finally {
    fs.closeSync(fd);
  }
}

abstract class SparseIndex {
  protected count = 0;
  /** Entries already in the file, and the file's size (to know when to trim). */
  protected persisted = 0;
  protected fileSize = 0;
  /** Lowest entry count seen since the in-flight persist captured its entries. */
  private lowWater = Number.MAX_SAFE_INTEGER;
  private persistChain: Promise<void> = Promise.resolve();
  readonly maxEntries: number;

  constructor(
    public file: string,
    readonly baseOffset: bigint,
    maxIndexBytes: number,
    protected readonly entrySize: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize));
  }

  get entries(): number {
    return this.count;
  }
  isFull(): boolean {
    return this.count >= this.maxEntries;
  }
  protected abstract grow(min: number): void;
  protected abstract encode(from: number, to: number): Buffer;

  protected ensure(n: number): void {
    this.grow(n);
  }

  /**
   * Writes new entries and trims removed ones. Persists of one index run one at a time (a later one sees what an
   * earlier one wrote), each encodes its entries before it awaits anything, and entries a truncation removed while
   * a write was in flight are never counted as persisted: after a truncation the file is trimmed by the next persist
   * (truncateTo runs one), so no stale entry survives into a clean restart.
   */
  persist(): Promise<void> {
    const run = this.persistChain.then(() => this.persistNow());
    this.persistChain = run.catch(() => undefined);
    return run;
  }

  private async persistNow(): Promise<void> {
    const size = this.count * this.entrySize;
    if (this.persisted === this.count && this.fileSize === size) return;
    const count = this.count;
    const from = Math.min(this.persisted, count);
    const data = count > from ? this.encode(from, count) : null;
    const trimTo = this.fileSize > size ? size : null;
    this.lowWater = count;
    await writeEntries(this.file, data, from * this.entrySize, trimTo);
    // Entries at or above lowWater were truncated (and maybe replaced) during the write: not persisted.
    this.persisted = Math.min(count, this.lowWater, this.count);
    this.fileSize = trimTo !== null ? size : Math.max(this.fileSize, size);
  }

  persistSync(): void {
    if (this.persisted === this.count && this.fileSize === this.count * this.entrySize && fs.existsSync(this.file)) return;
    persistEntriesSync(this.file, this.entrySize, this.persisted, this.count, (a, b) => this.encode(a, b), this.fileSize);
    this.persisted = this.count;
    this.fileSize = this.count * this.entrySize;
  }
  /** Forgets everything (used before a rebuild). */
  reset(): void {
    this.count = 0;
    this.persisted = 0;
    this.lowWater = 0;
  }
  protected noteTruncated(): void {
    if (this.persisted > this.count) this.persisted = this.count;
    if (this.lowWater > this.count) this.lowWater = this.count;
  }
  /** Marks the on-disk file as missing/garbage so the next persist rewrites it whole. */
  markFileStale(actualSize: number): void {
    this.persisted = 0;
    this.lowWater = 0;
    this.fileSize = actualSize;
  }
}

export interface OffsetPosition {
  offset: bigint;
  position: number;
}

export class OffsetIndex extends SparseIndex {
  private rel = new Int32Array(64);
  private pos = new Int32Array(64);

  constructor(file: string, baseOffset: bigint, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, 8);
  }

  protected grow(min: number): void {
    if (min <= this.rel.length) return;
    const size = Math.max(min, this.rel.length * 2);
    const r = new Int32Array(size);
    r.set(this.rel.subarray(0, this.count));
    const p = new Int32Array(size);
    p.set(this.pos.subarray(0, this.count));
    this.rel = r;
    this.pos = p;
  }

  protected encode(from: number, to: number): Buffer {
    const b = Buffer.allocUnsafe((to - from) * 8);
    for (let i = from; i < to; i++) {
      b.writeInt32BE(this.rel[i] as number, (i - from) * 8);
      b.writeInt32BE(this.pos[i] as number, (i - from) * 8 + 4);
    }
    return b;
  }

  /** Loads the file; a missing file returns false, an insane one throws CorruptIndexError. */
  loadSync(): boolean {
    const buf = readIfExists(this.file);
    if (buf === null) return false;
    if (buf.length % 8 !== 0) throw new CorruptIndexError(this.file, `size ${buf.length} is not a multiple of 8`);
    const n = buf.length / 8;
    if (n > this.maxEntries) throw new CorruptIndexError(this.file, `${n} entries exceed the limit ${this.maxEntries}`);
    this.reset();
    this.grow(n);
    for (let i = 0; i < n; i++) {
      const r = buf.readInt32BE(i * 8);
      const p = buf.readInt32BE(i * 8 + 4);
      if (r < 0 || p < 0 || (i > 0 && (r <= (this.rel[i - 1] as number) || p <= (this.pos[i - 1] as number)))) {
        this.reset();
        throw new CorruptIndexError(this.file, `entry ${i} (${r}, ${p}) is not increasing`);
      }
      this.rel[i] = r;
      this.pos[i] = p;
    }
    this.count = n;
    this.persisted = n;
    this.fileSize = buf.length;
    return true;
  }

  /** Appends an entry; offsets and positions must increase. */
  append(offset: bigint, position: number): void {
    const r = Number(offset - this.baseOffset);
    if (this.count > 0 && (r <= (this.rel[this.count - 1] as number) || position <= (this.pos[this.count - 1] as number))) return;
    if (this.isFull()) return;
    this.ensure(this.count + 1);
    this.rel[this.count] = r;
    this.pos[this.count] = position;
    this.count++;
  }

  lastEntry(): OffsetPosition {
    if (this.count === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + BigInt(this.rel[this.count - 1] as number), position: this.pos[this.count - 1] as number };
  }

  /** Index of the largest entry with relOffset <= rel, or -1. */
  private floorSlot(rel: number): number {
    return floorIndex(this.count, (i) => (this.rel[i] as number) <= rel);
  }

  /** The largest indexed offset <= target and its position, or (baseOffset, 0). */
  lookup(target: bigint): OffsetPosition {
    const d = target - this.baseOffset;
    if (d < 0n || this.count === 0) return { offset: this.baseOffset, position: 0 };
    const slot = this.floorSlot(d > 0x7fffffffn ? 0x7fffffff : Number(d));
    if (slot < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + BigInt(this.rel[slot] as number), position: this.pos[slot] as number };
  }

  /** Drops entries for offsets >= offset. */
  truncateToOffset(offset: bigint): void {
    const d = offset - this.baseOffset;
    if (d <= 0n) this.count = 0;
    else {
      const rel = d > 0x7fffffffn ? 0x7fffffff : Number(d);
      // keep entries with rel < d
      this.count = this.floorSlot(rel - 1) + 1;
    }
    this.noteTruncated();
  }

  /** Drops entries whose position is >= position. */
  truncateToPosition(position: number): void {
    while (this.count > 0 && (this.pos[this.count - 1] as number) >= position) this.count--;
    this.noteTruncated();
  }
}

export interface TimestampOffset {
  timestamp: bigint;
  offset: bigint;
}

export class TimeIndex extends SparseIndex {
  private ts = new BigInt64Array(64);
  private rel = new Int32Array(64);

  constructor(file: string, baseOffset: bigint, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, 12);
  }

  protected grow(min: number): void {
    if (min <= this.rel.length) return;
    const size = Math.max(min, this.rel.length * 2);
    const t = new BigInt64Array(size);
    t.set(this.ts.subarray(0, this.count));
    const r = new Int32Array(size);
    r.set(this.rel.subarray(0, this.count));
    this.ts = t;
    this.rel = r;
  }

  protected encode(from: number, to: number): Buffer {
    const b = Buffer.allocUnsafe((to - from) * 12);
    for (let i = from; i < to; i++) {
      b.writeBigInt64BE(this.ts[i] as bigint, (i - from) * 12);
      b.writeInt32BE(this.rel[i] as number, (i - from) * 12 + 8);
    }
    return b;
  }

  loadSync(): boolean {
    const buf = readIfExists(this.file);
    if (buf === null) return false;
    if (buf.length % 12 !== 0) throw new CorruptIndexError(this.file, `size ${buf.length} is not a multiple of 12`);
    const n = buf.length / 12;
    if (n > this.maxEntries) throw new CorruptIndexError(this.file, `${n} entries exceed the limit ${this.maxEntries}`);
    this.reset();
    this.grow(n);
    for (let i = 0; i < n; i++) {
      const t = buf.readBigInt64BE(i * 12);
      const r = buf.readInt32BE(i * 12 + 8);
      if (r < 0 || (i > 0 && (t <= (this.ts[i - 1] as bigint) || r < (this.rel[i - 1] as number)))) {
        this.reset();
        throw new CorruptIndexError(this.file, `entry ${i} (${t}, ${r}) is not increasing`);
      }
      this.ts[i] = t;
      this.rel[i] = r;
    }
    this.count = n;
    this.persisted = n;
    this.fileSize = buf.length;
    return true;
  }

  lastEntry(): TimestampOffset {
    if (this.count === 0) return { timestamp: -1n, offset: this.baseOffset };
    return { timestamp: this.ts[this.count - 1] as bigint, offset: this.baseOffset + BigInt(this.rel[this.count - 1] as number) };
  }

  /** Appends when the timestamp grows (Kafka's rule); `force` ignores the entry limit (final entry on roll). */
  maybeAppend(timestamp: bigint, offset: bigint, force = false): void {
    if (!force && this.isFull()) return;
    const r = Number(offset - this.baseOffset);
    if (this.count > 0 && (timestamp <= (this.ts[this.count - 1] as bigint) || r < (this.rel[this.count - 1] as number))) return;
    this.ensure(this.count + 1);
    this.ts[this.count] = timestamp;
    this.rel[this.count] = r;
    this.count++;
  }

  /** The entry with the largest timestamp <= target, or (-1, baseOffset). */
  lookup(target: bigint): TimestampOffset {
    const ans = floorIndex(this.count, (i) => (this.ts[i] as bigint) <= target);
    if (ans < 0) return { timestamp: -1n, offset: this.baseOffset };
    return { timestamp: this.ts[ans] as bigint, offset: this.baseOffset + BigInt(this.rel[ans] as number) };
  }

  truncateToOffset(offset: bigint): void {
    while (this.count > 0 && this.baseOffset + BigInt(this.rel[this.count - 1] as number) >= offset) this.count--;
    this.noteTruncated();
  }
}
