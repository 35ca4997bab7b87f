// Producer state of one partition (Kafka 2.8's ProducerStateManager, KIP-98/KIP-360): for every producer id its
// epoch, the sequence ranges and offsets of its last 5 batches and its last timestamp. The leader consults it
// before writing a client's batch (duplicates, sequence gaps, stale epochs); followers and recovery rebuild it
// from the batches they replay. `<offset>.snapshot` files (Kafka's format, shared/KAFKA-FORMATS.md §1.3) make
// it durable: a snapshot holds the state of every offset below its name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { crc32c } from '../protocol/record/crc32c';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BatchIterator,
  CONTROL_MASK,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  TRANSACTIONAL_MASK,
} from '../protocol/record/batch-header';
import { LogError, LogErrorCode } from './errors';
import { filenamePrefixFromOffset } from './LogSegment';

export const SNAPSHOT_SUFFIX = '.snapshot';
/** Kafka's ProducerStateEntry.NumBatchesToRetain: the dedupe window per producer. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 0x7fffffff;

const SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6;
const ENTRY_SIZE = 46;

/** Who writes a batch (Kafka's AppendOrigin): only client writes are checked for sequence and epoch. */
export type AppendOrigin = 'client' | 'replication' | 'coordinator';

/** The producer fields of one batch, with the offsets it has (or will have) in the log. */
export interface ProducerBatch {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  firstOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  transactional: boolean;
  control: boolean;
}

export interface BatchMetadata {
  lastSeq: number;
  lastOffset: bigint;
  /** lastSeq − firstSeq (and lastOffset − firstOffset) of the batch. */
  offsetDelta: number;
  timestamp: bigint;
}

export const firstSeqOf = (b: BatchMetadata): number => decrementSequence(b.lastSeq, b.offsetDelta);
export const firstOffsetOf = (b: BatchMetadata): bigint => b.lastOffset - BigInt(b.offsetDelta);

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Int.MAX to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

const inSequence = (lastSeq: number, nextSeq: number): boolean => nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);

/** The producer fields of the batch at `pos` given the offset of its first record; null when it has no producer id. */
export function producerBatchAt(buf: Buffer, pos: number, firstOffset: bigint = buf.readBigInt64BE(pos + BASE_OFFSET)): ProducerBatch | null {
  const producerId = buf.readBigInt64BE(pos + PRODUCER_ID);
  if (producerId < 0n) return null;
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  const baseSequence = buf.readInt32BE(pos + BASE_SEQUENCE);
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  return {
    producerId,
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence,
    lastSequence: baseSequence < 0 ? NO_SEQUENCE : incrementSequence(baseSequence, lastOffsetDelta),
    firstOffset,
    lastOffset: firstOffset + BigInt(lastOffsetDelta),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    transactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    control: (attributes & CONTROL_MASK) !== 0,
  };
}

/** Every producer batch of a buffer of whole batches, at the offsets they carry. */
export function producerBatchesIn(buf: Buffer): ProducerBatch[] {
  const out: ProducerBatch[] = [];
  for (const it = new BatchIterator(buf, 0, buf.length); it.next(); ) {
    const b = producerBatchAt(buf, it.position);
    if (b) out.push(b);
  }
  return out;
}

export class ProducerStateEntry {
  constructor(
    readonly producerId: bigint,
    public producerEpoch: number = NO_PRODUCER_EPOCH,
    /** Oldest first; at most NUM_BATCHES_TO_RETAIN. */
    public batches: BatchMetadata[] = [],
    public coordinatorEpoch = -1,
    public lastTimestamp = -1n,
    public currentTxnFirstOffset: bigint | null = null,
  ) {}

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }
  get lastSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : (this.batches[this.batches.length - 1] as BatchMetadata).lastSeq;
  }
  get lastDataOffset(): bigint {
    return this.batches.length === 0 ? -1n : (this.batches[this.batches.length - 1] as BatchMetadata).lastOffset;
  }
  get lastOffsetDelta(): number {
    return this.batches.length === 0 ? 0 : (this.batches[this.batches.length - 1] as BatchMetadata).offsetDelta;
  }

  clone(): ProducerStateEntry {
    return new ProducerStateEntry(this.producerId, this.producerEpoch, this.batches.slice(), this.coordinatorEpoch, this.lastTimestamp, this.currentTxnFirstOffset);
  }

  /** A new epoch forgets the batches of the old one. */
  maybeUpdateProducerEpoch(epoch: number): void {
    if (this.producerEpoch !== epoch) {
      this.batches = [];
      this.producerEpoch = epoch;
    }
  }

  addBatch(epoch: number, lastSeq: number, lastOffset: bigint, offsetDelta: number, timestamp: bigint): void {
    this.maybeUpdateProducerEpoch(epoch);
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push({ lastSeq, lastOffset, offsetDelta, timestamp });
    this.lastTimestamp = timestamp;
  }

  /** The cached batch with exactly this epoch and sequence range, if any. */
  findDuplicate(batch: ProducerBatch): BatchMetadata | undefined {
    if (batch.producerEpoch !== this.producerEpoch) return undefined;
    return this.batches.find((m) => firstSeqOf(m) === batch.baseSequence && m.lastSeq === batch.lastSequence);
  }
}

/**
 * The changes one append makes to one producer, validated batch by batch against the state before the append
 * (Kafka's ProducerAppendInfo). Nothing reaches the manager until `update` is called with it.
 */
export class ProducerAppendInfo {
  readonly entry: ProducerStateEntry;

  constructor(
    private readonly topicPartition: string,
    private readonly current: ProducerStateEntry,
    private readonly origin: AppendOrigin,
    private readonly logger?: Logger,
  ) {
    this.entry = current.clone();
  }

  appendDataBatch(b: ProducerBatch): void {
    this.checkProducerEpoch(b.producerEpoch, b.firstOffset);
    if (this.origin === 'client') this.checkSequence(b.producerEpoch, b.baseSequence, b.firstOffset);
    this.entry.addBatch(b.producerEpoch, b.lastSequence, b.lastOffset, Number(b.lastOffset - b.firstOffset), b.maxTimestamp);
    if (this.entry.currentTxnFirstOffset !== null && !b.transactional) {
      throw new LogError(
        LogErrorCode.INVALID_TXN_STATE,
        `Expected transactional write from producer ${b.producerId} at offset ${b.firstOffset} in partition ${this.topicPartition}`,
      );
    }
    if (this.entry.currentTxnFirstOffset === null && b.transactional) this.entry.currentTxnFirstOffset = b.firstOffset;
  }

  private checkProducerEpoch(epoch: number, offset: bigint): void {
    if (epoch >= this.entry.producerEpoch) return;
    const message = `Epoch of producer ${this.entry.producerId} at offset ${offset} in ${this.topicPartition} is ${epoch}, which is smaller than the last seen epoch ${this.entry.producerEpoch}`;
    if (this.origin === 'replication') this.logger?.warn(message);
    else throw new LogError(LogErrorCode.INVALID_PRODUCER_EPOCH, message);
  }

  private checkSequence(epoch: number, firstSeq: number, offset: bigint): void {
    const id = this.entry.producerId;
    if (epoch !== this.entry.producerEpoch) {
      // A new epoch starts at sequence 0, unless the broker knows nothing of the producer (KIP-360).
      if (firstSeq !== 0 && this.entry.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new LogError(
          LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${id} at offset ${offset} in partition ${this.topicPartition}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${this.entry.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    const currentLastSeq = !this.entry.isEmpty ? this.entry.lastSeq : epoch === this.current.producerEpoch ? this.current.lastSeq : NO_SEQUENCE;
    // No epoch on record (all of the producer's data is gone): any sequence is accepted.
    if (this.current.producerEpoch === NO_PRODUCER_EPOCH || inSequence(currentLastSeq, firstSeq)) return;
    throw new LogError(
      LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `Out of order sequence number for producer ${id} at offset ${offset} in partition ${this.topicPartition}: ${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
    );
  }
}

/** What a leader append learns from the producer state before anything is written. */
export interface ProducerAnalysis {
  /** The append repeats one of the producer's last batches: nothing is written, this is the original. */
  duplicate?: BatchMetadata;
  updates: Map<bigint, ProducerAppendInfo>;
}

export interface ProducerStateManagerOptions {
  dir: string;
  topicPartition: string;
  /** transactional.id.expiration.ms: a producer idle this long (and with no open transaction) is forgotten. */
  maxProducerIdExpirationMs: number;
  logger?: Logger;
}

export class ProducerStateManager {
  readonly topicPartition: string;
  private dir: string;
  private readonly maxProducerIdExpirationMs: number;
  private readonly logger: Logger | undefined;
  private readonly producers = new Map<bigint, ProducerStateEntry>();
  /** Snapshot offsets on disk, ascending. */
  private snapshots: bigint[];
  /** Every offset below this one is reflected in `producers`. */
  private lastMapOffset = 0n;
  private lastSnapOffset = 0n;

  constructor(opts: ProducerStateManagerOptions) {
    this.dir = opts.dir;
    this.topicPartition = opts.topicPartition;
    this.maxProducerIdExpirationMs = opts.maxProducerIdExpirationMs;
    this.logger = opts.logger;
    this.snapshots = listSnapshotOffsets(this.dir);
  }

  get mapEndOffset(): bigint {
    return this.lastMapOffset;
  }
  get isEmpty(): boolean {
    return this.producers.size === 0;
  }
  get latestSnapshotOffset(): bigint | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }
  get oldestSnapshotOffset(): bigint | undefined {
    return this.snapshots[0];
  }
  snapshotOffsets(): bigint[] {
    return this.snapshots.slice();
  }
  activeProducers(): ReadonlyMap<bigint, ProducerStateEntry> {
    return this.producers;
  }
  lastEntry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  setDir(dir: string): void {
    this.dir = dir;
  }

  /**
   * Checks the batches a client (or a coordinator) is about to append, in order, against the state. A batch
   * that repeats one of its producer's last 5 batches ends the analysis: the append is that duplicate.
   * Throws the Kafka error of the first batch that fails.
   */
  analyze(batches: readonly ProducerBatch[], origin: AppendOrigin): ProducerAnalysis {
    const updates = new Map<bigint, ProducerAppendInfo>();
    for (const b of batches) {
      if (origin === 'client') {
        const duplicate = this.producers.get(b.producerId)?.findDuplicate(b);
        if (duplicate) return { duplicate, updates };
      }
      this.prepare(updates, b.producerId, origin).appendDataBatch(b);
    }
    return { updates };
  }

  /** Applies validated changes (after the batches are in the log). */
  update(updates: ReadonlyMap<bigint, ProducerAppendInfo>): void {
    for (const [id, info] of updates) this.producers.set(id, info.entry);
  }

  /** Replays batches already in the log (follower appends, recovery): no sequence checks, stale epochs only warn. */
  replay(batches: readonly ProducerBatch[]): void {
    const updates = new Map<bigint, ProducerAppendInfo>();
    for (const b of batches) {
      // Control batches (transaction markers) arrive with transactions; a data batch is all there is today.
      if (!b.control) this.prepare(updates, b.producerId, 'replication').appendDataBatch(b);
    }
    this.update(updates);
  }

  private prepare(updates: Map<bigint, ProducerAppendInfo>, producerId: bigint, origin: AppendOrigin): ProducerAppendInfo {
    let info = updates.get(producerId);
    if (!info) {
      info = new ProducerAppendInfo(this.topicPartition, this.producers.get(producerId) ?? new ProducerStateEntry(producerId), origin, this.logger);
      updates.set(producerId, info);
    }
    return info;
  }

  updateMapEndOffset(offset: bigint): void {
    this.lastMapOffset = offset;
  }

  private isExpired(now: number, entry: ProducerStateEntry): boolean {
    return entry.currentTxnFirstOffset === null && BigInt(now) - entry.lastTimestamp >= BigInt(this.maxProducerIdExpirationMs);
  }

  removeExpiredProducers(now: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (this.isExpired(now, entry)) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Loads the latest readable snapshot (deleting corrupt ones), or starts empty at `logStartOffset` when there is
   * none. Returns the offset the state now reflects; the caller replays the log from there.
   */
  private loadFromSnapshot(logStartOffset: bigint, now: number): void {
    for (;;) {
      const offset = this.latestSnapshotOffset;
      if (offset === undefined) {
        this.lastSnapOffset = logStartOffset;
        this.lastMapOffset = logStartOffset;
        return;
      }
      const file = snapshotFile(this.dir, offset);
      try {
        for (const entry of readSnapshot(file)) if (!this.isExpired(now, entry)) this.producers.set(entry.producerId, entry);
        this.lastSnapOffset = offset;
        this.lastMapOffset = offset;
        this.logger?.info({ partition: this.topicPartition, snapshot: path.basename(file), producers: this.producers.size }, 'loaded producer state snapshot');
        return;
      } catch (err) {
        this.logger?.warn({ partition: this.topicPartition, snapshot: path.basename(file), err: (err as Error).message }, 'deleting unreadable producer state snapshot');
        this.producers.clear();
        this.removeAndDeleteSnapshot(offset);
      }
    }
  }

  /**
   * Drops snapshots outside (logStartOffset, logEndOffset] and, when the state does not end at logEndOffset,
   * reloads it from the latest remaining snapshot (Kafka's truncateAndReload). The caller then replays the log
   * from `mapEndOffset` to `logEndOffset`.
   */
  truncateAndReload(logStartOffset: bigint, logEndOffset: bigint, now: number): void {
    for (const offset of this.snapshots.slice()) {
      if (offset > logEndOffset || offset <= logStartOffset) this.removeAndDeleteSnapshot(offset);
    }
    if (logEndOffset !== this.lastMapOffset) {
      this.producers.clear();
      this.loadFromSnapshot(logStartOffset, now);
    } else {
      this.onLogStartOffsetIncremented(logStartOffset);
    }
  }

  /** A follower that starts over at `offset` (its log was emptied) forgets every producer and snapshot. */
  truncateFullyAndStartAt(offset: bigint): void {
    this.producers.clear();
    for (const s of this.snapshots.slice()) this.removeAndDeleteSnapshot(s);
    this.lastSnapOffset = 0n;
    this.lastMapOffset = offset;
  }

  onLogStartOffsetIncremented(logStartOffset: bigint): void {
    if (this.lastMapOffset < logStartOffset) this.lastMapOffset = logStartOffset;
    this.lastSnapOffset = this.latestSnapshotOffset ?? logStartOffset;
  }

  /** Writes `<mapEndOffset>.snapshot` (fsynced) unless the state has not moved since the last one. */
  async takeSnapshot(): Promise<void> {
    if (this.lastMapOffset <= this.lastSnapOffset) return;
    const offset = this.lastMapOffset;
    const file = snapshotFile(this.dir, offset);
    await writeSnapshotFile(file, encodeSnapshot(this.producers.values()));
    if (!this.snapshots.includes(offset)) {
      this.snapshots.push(offset);
      this.snapshots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    this.lastSnapOffset = offset;
  }

  /** The same, synchronously (load time, before the broker serves). */
  takeSnapshotSync(): void {
    if (this.lastMapOffset <= this.lastSnapOffset) return;
    const offset = this.lastMapOffset;
    const file = snapshotFile(this.dir, offset);
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, encodeSnapshot(this.producers.values()));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!this.snapshots.includes(offset)) {
      this.snapshots.push(offset);
      this.snapshots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    this.lastSnapOffset = offset;
  }

  /**
   * After recovery: keeps the snapshots at segment base offsets and the latest other one if it is above every
   * segment base (the clean-shutdown snapshot at the log end); deletes the rest (Kafka's removeStraySnapshots).
   */
  removeStraySnapshots(segmentBaseOffsets: readonly bigint[]): void {
    const bases = new Set(segmentBaseOffsets);
    const maxBase = segmentBaseOffsets.reduce<bigint | undefined>((m, b) => (m === undefined || b > m ? b : m), undefined);
    // `snapshots` was listed by the constructor, after recovery: no second directory listing per partition.
    let latestStray: bigint | undefined;
    for (const offset of this.snapshots.slice()) {
      if (bases.has(offset)) continue;
      if (latestStray !== undefined) this.removeAndDeleteSnapshot(latestStray);
      latestStray = offset;
    }
    if (latestStray !== undefined && maxBase !== undefined && latestStray < maxBase) this.removeAndDeleteSnapshot(latestStray);
  }

  removeAndDeleteSnapshot(offset: bigint): void {
    const i = this.snapshots.indexOf(offset);
    if (i >= 0) this.snapshots.splice(i, 1);
    fs.rmSync(snapshotFile(this.dir, offset), { force: true });
  }

  deleteSnapshotsBefore(offset: bigint): void {
    for (const s of this.snapshots.slice()) if (s < offset) this.removeAndDeleteSnapshot(s);
  }
}

export function snapshotFile(dir: string, offset: bigint): string {
  return path.join(dir, filenamePrefixFromOffset(offset) + SNAPSHOT_SUFFIX);
}

function listSnapshotOffsets(dir: string): bigint[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: bigint[] = [];
  for (const n of names) {
    const m = /^(\d{20})\.snapshot$/.exec(n);
    if (m) out.push(BigInt(m[1] as string));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Kafka's snapshot layout: version int16, crc uint32 (CRC-32C of the rest), int32 count, 46-byte entries. */
export function encodeSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.alloc(ENTRIES_OFFSET + 4 + list.length * ENTRY_SIZE);
  buf.writeInt16BE(SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(list.length, ENTRIES_OFFSET);
  let pos = ENTRIES_OFFSET + 4;
  for (const e of list) {
    buf.writeBigInt64BE(e.producerId, pos);
    buf.writeInt16BE(e.producerEpoch, pos + 8);
    buf.writeInt32BE(e.lastSeq, pos + 10);
    buf.writeBigInt64BE(e.lastDataOffset, pos + 14);
    buf.writeInt32BE(e.lastOffsetDelta, pos + 22);
    buf.writeBigInt64BE(e.lastTimestamp, pos + 26);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    buf.writeBigInt64BE(e.currentTxnFirstOffset ?? -1n, pos + 38);
    pos += ENTRY_SIZE;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_OFFSET)), CRC_OFFSET);
  return buf;
}

/** Parses a snapshot; throws on a wrong version, CRC or length. Only the last batch of each producer is kept. */
export function decodeSnapshot(buf: Buffer, name = 'snapshot'): ProducerStateEntry[] {
  if (buf.length < ENTRIES_OFFSET + 4) throw new Error(`${name}: ${buf.length} bytes is too short`);
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) throw new Error(`${name}: snapshot version ${version}, expected ${SNAPSHOT_VERSION}`);
  const crc = buf.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(buf.subarray(ENTRIES_OFFSET));
  if (crc !== computed) throw new Error(`${name}: CRC ${computed} does not match the stored ${crc}`);
  const count = buf.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || buf.length !== ENTRIES_OFFSET + 4 + count * ENTRY_SIZE) throw new Error(`${name}: ${count} entries do not fill ${buf.length} bytes`);
  const out: ProducerStateEntry[] = [];
  let pos = ENTRIES_OFFSET + 4;
  for (let i = 0; i < count; i++, pos += ENTRY_SIZE) {
    const producerId = buf.readBigInt64BE(pos);
    const epoch = buf.readInt16BE(pos + 8);
    const lastSeq = buf.readInt32BE(pos + 10);
    const lastOffset = buf.readBigInt64BE(pos + 14);
    const offsetDelta = buf.readInt32BE(pos + 22);
    const timestamp = buf.readBigInt64BE(pos + 26);
    const coordinatorEpoch = buf.readInt32BE(pos + 34);
    const txnFirst = buf.readBigInt64BE(pos + 38);
    const batches: BatchMetadata[] = lastOffset >= 0n ? [{ lastSeq, lastOffset, offsetDelta, timestamp }] : [];
    out.push(new ProducerStateEntry(producerId, epoch, batches, coordinatorEpoch, timestamp, txnFirst >= 0n ? txnFirst : null));
  }
  return out;
}

function readSnapshot(file: string): ProducerStateEntry[] {
  return decodeSnapshot(fs.readFileSync(file), path.basename(file));
}

async function writeSnapshotFile(file: string, data: Buffer): Promise<void> {
  const fh = await fs.promises.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
