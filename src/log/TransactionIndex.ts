// The aborted-transaction index of one segment, `<base>.txnindex` (Kafka's TransactionIndex): one 34-byte entry per
// ABORT marker the segment holds — version int16 (0), producerId int64, firstOffset int64, lastOffset int64 (the
// marker's offset), lastStableOffset int64 — in marker order. read_committed fetches ask it which aborted transactions
// overlap what they return. Like Kafka's, the file is created on the first entry; entries are kept in memory (they are
// rare) and written through at once, fsynced with the segment.
import * as fs from 'fs';
import type { AbortedTxn } from './LogTypes';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const TXN_INDEX_ENTRY_SIZE = 34;
const VERSION = 0;

export class CorruptTxnIndexError extends Error {
  constructor(file: string, reason: string) {
    super(`corrupt transaction index ${file}: ${reason}`);
    this.name = 'CorruptTxnIndexError';
  }
}

/** Entries matching a fetch, and whether no later segment can add any (Kafka's TxnIndexSearchResult). */
export interface TxnIndexSearchResult {
  abortedTransactions: AbortedTxn[];
  isComplete: boolean;
}

export function encodeAbortedTxn(t: AbortedTxn, buf = Buffer.alloc(TXN_INDEX_ENTRY_SIZE), at = 0): Buffer {
  buf.writeInt16BE(VERSION, at);
  buf.writeBigInt64BE(t.producerId, at + 2);
  buf.writeBigInt64BE(t.firstOffset, at + 10);
  buf.writeBigInt64BE(t.lastOffset, at + 18);
  buf.writeBigInt64BE(t.lastStableOffset, at + 26);
  return buf;
}

export class TransactionIndex {
  /** Null until read from the file (lazily, like the other indexes). */
  private list: AbortedTxn[] | null = null;
  private dirty = false;

  constructor(
    public file: string,
    readonly baseOffset: bigint,
  ) {}

  private load(): AbortedTxn[] {
    if (this.list) return this.list;
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      data = Buffer.alloc(0);
    }
    const out: AbortedTxn[] = [];
    // A partial last entry (a crash mid-write) is ignored, as Kafka's iterator stops at it.
    for (let p = 0; p + TXN_INDEX_ENTRY_SIZE <= data.length; p += TXN_INDEX_ENTRY_SIZE) {
      const version = data.readInt16BE(p);
      if (version !== VERSION) throw new CorruptTxnIndexError(this.file, `entry at ${p} has version ${version}`);
      out.push({ producerId: data.readBigInt64BE(p + 2), firstOffset: data.readBigInt64BE(p + 10), lastOffset: data.readBigInt64BE(p + 18), lastStableOffset: data.readBigInt64BE(p + 26) });
    }
    this.list = out;
    return out;
  }

  /** Reads the file now (before a segment is retired: readers keep the entries after the file is renamed). */
  ensureLoaded(): void {
    this.load();
  }

  get entries(): readonly AbortedTxn[] {
    return this.load();
  }

  /** Adds the entry of an ABORT marker; markers come in offset order (a lower one means the caller is wrong). */
  append(t: AbortedTxn): void {
    const list = this.load();
    const last = list[list.length - 1];
    if (last && last.lastOffset >= t.lastOffset) {
      throw new Error(`${this.file}: aborted transaction ending at ${t.lastOffset} is not after the last one (${last.lastOffset})`);
    }
    const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_CREAT);
    try {
      fs.writeSync(fd, encodeAbortedTxn(t), 0, TXN_INDEX_ENTRY_SIZE, list.length * TXN_INDEX_ENTRY_SIZE);
    } finally {
      fs.closeSync(fd);
    }
    list.push({ ...t });
    this.dirty = true;
  }

  /** Kafka's collectAbortedTxns: entries ending at or after fetchOffset and starting below upperBoundOffset. */
  collectAbortedTxns(fetchOffset: bigint, upperBoundOffset: bigint): TxnIndexSearchResult {
    const out: AbortedTxn[] = [];
    for (const t of this.load()) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) out.push({ ...t });
      // Every transaction that began below the bound had completed when this one did.
      if (t.lastStableOffset >= upperBoundOffset) return { abortedTransactions: out, isComplete: true };
    }
    return { abortedTransactions: out, isComplete: false };
  }

  /** Drops the entries whose marker is at or above `offset` (the segment is truncated there). */
  truncateTo(offset: bigint): void {
    const list = this.load();
    const keep = list.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    list.length = keep;
    this.rewriteSize();
  }

  /** Empties the index (recovery rebuilds it from the markers). */
  reset(): void {
    this.list = [];
    this.rewriteSize();
  }

  private rewriteSize(): void {
    const size = (this.list?.length ?? 0) * TXN_INDEX_ENTRY_SIZE;
    try {
      fs.truncateSync(this.file, size);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** fsyncs entries written since the last flush. */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const fh = await fs.promises.open(this.file, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** Writes every entry to `file` from scratch and fsyncs it (a cleaned segment's index). */
  static async writeAll(file: string, entries: readonly AbortedTxn[]): Promise<void> {
    const buf = Buffer.alloc(entries.length * TXN_INDEX_ENTRY_SIZE);
    entries.forEach((t, i) => encodeAbortedTxn(t, buf, i * TXN_INDEX_ENTRY_SIZE));
    const fh = await fs.promises.open(file, 'w');
    try {
      await fh.writeFile(buf);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
