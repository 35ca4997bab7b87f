// Producer state of one partition (Kafka 2.8's ProducerStateManager, KIP-98/KIP-360): for every producer id its
// epoch, the sequence ranges and offsets of its last 5 batches and its last timestamp. The leader consults it
// before writing a client's batch (duplicates, sequence gaps, stale epochs); followers and recovery rebuild it
// from the batches they replay. `<offset>.snapshot` files (Kafka's format, shared/KAFKA-FORMATS.md §1.3) make
// it durable: a snapshot holds the state of every offset below its name.
import * as path from 'node:path';
import type { Logger } from 'pino';
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
import { ControlRecordType, readControlRecord } from '../protocol/record/controlRecords';
import { LogError, LogErrorCode } from './errors';
import { INT32_MAX, NO_PRODUCER_EPOCH, NO_SEQUENCE, ProducerStateEntry, incrementSequence, type BatchMetadata, type ProducerBatch } from './producerStateEntry';
import { encodeSnapshot, listSnapshotOffsets, readSnapshot, snapshotFile, writeSnapshotFile } from './producerStateSnapshot';
import * as fs from 'node:fs';

export * from './producerStateEntry';
export * from './producerStateSnapshot';

/** Who writes a batch (Kafka's AppendOrigin): only client writes are checked for sequence and epoch. */
export type AppendOrigin = 'client' | 'replication' | 'coordinator';

const inSequence = (lastSeq: number, nextSeq: number): boolean => nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);

/** The producer fields of the batch at `pos` given the offset of its first record; null when it has no producer id. */
export function producerBatchAt(buf: Buffer, pos: number, firstOffset: bigint = buf.readBigInt64BE(pos + BASE_OFFSET)): ProducerBatch | null {
  const producerId = buf.readBigInt64BE(pos + PRODUCER_ID);
  if (producerId < 0n) return null;
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  const baseSequence = buf.readInt32BE(pos + BASE_SEQUENCE);
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  const control = (attributes & CONTROL_MASK) !== 0;
  return {
    producerId,
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence,
    lastSequence: baseSequence < 0 ? NO_SEQUENCE : incrementSequence(baseSequence, lastOffsetDelta),
    firstOffset,
    lastOffset: firstOffset + BigInt(lastOffsetDelta),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    transactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    control,
    endTxn: control ? endTxnMarkerAt(buf, pos) : null,
  };
}

/** The end-transaction marker of the control batch at `pos`; null for another control record or an emptied batch. */
function endTxnMarkerAt(buf: Buffer, pos: number): { commit: boolean; coordinatorEpoch: number } | null {
  let r;
  try {
    r = readControlRecord(buf, pos);
  } catch (e) {
    throw new LogError(LogErrorCode.CORRUPT_MESSAGE, `unreadable control record in the batch at byte ${pos}: ${(e as Error).message}`, e);
  }
  if (r === null || (r.type !== ControlRecordType.ABORT && r.type !== ControlRecordType.COMMIT)) return null;
  return { commit: r.type === ControlRecordType.COMMIT, coordinatorEpoch: r.coordinatorEpoch };
}

/** A transaction whose marker was just appended (Kafka's CompletedTxn). */
export interface CompletedTxn {
  producerId: bigint;
  firstOffset: bigint;
  /** The marker's offset. */
  lastOffset: bigint;
  isAborted: boolean;
}

/** An open transaction, or a completed one (lastOffset set) whose marker the HW has not passed (Kafka's TxnMetadata). */
export interface TxnMetadata {
  producerId: bigint;
  firstOffset: bigint;
  lastOffset: bigint | null;
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


/**
 * The changes one append makes to one producer, validated batch by batch against the state before the append
 * (Kafka's ProducerAppendInfo). Nothing reaches the manager until `update` is called with it.
 */
export class ProducerAppendInfo {
  readonly entry: ProducerStateEntry;
  /** First offsets of the transactions this append starts. */
  readonly startedTransactions: bigint[] = [];

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
    if (this.entry.currentTxnFirstOffset === null && b.transactional) {
      this.entry.currentTxnFirstOffset = b.firstOffset;
      this.startedTransactions.push(b.firstOffset);
    }
  }

  /**
   * Kafka's appendEndTxnMarker: the marker (at b.firstOffset) ends the producer's open transaction. A stale producer
   * or coordinator epoch fails the write (followers and recovery take it, as the leader did).
   */
  appendEndTxnMarker(b: ProducerBatch, marker: { commit: boolean; coordinatorEpoch: number }): CompletedTxn {
    const offset = b.firstOffset;
    this.checkProducerEpoch(b.producerEpoch, offset);
    if (this.entry.coordinatorEpoch > marker.coordinatorEpoch) {
      const message = `Invalid coordinator epoch for producerId ${this.entry.producerId} at offset ${offset} in partition ${this.topicPartition}: ${marker.coordinatorEpoch} (zombie), ${this.entry.coordinatorEpoch} (current)`;
      if (this.origin === 'replication') this.logger?.info(message);
      else throw new LogError(LogErrorCode.TRANSACTION_COORDINATOR_FENCED, message);
    }
    let firstOffset = this.entry.currentTxnFirstOffset;
    if (firstOffset === null) {
      // A marker without an open transaction (a retried or empty one) completes a transaction of its own offset.
      firstOffset = offset;
      this.startedTransactions.push(offset);
    }
    this.entry.maybeUpdateProducerEpoch(b.producerEpoch);
    this.entry.currentTxnFirstOffset = null;
    this.entry.coordinatorEpoch = marker.coordinatorEpoch;
    this.entry.lastTimestamp = b.maxTimestamp;
    return { producerId: this.entry.producerId, firstOffset, lastOffset: offset, isAborted: !marker.commit };
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
  /** Transactions the append's markers end, in order: completed (completeTxns) once the markers are written. */
  completedTxns: CompletedTxn[];
}

/** Called for each transaction a marker completes, with the LSO as of its completion (the .txnindex entry's). */
export type OnTxnCompleted = (txn: CompletedTxn, lastStableOffset: bigint) => void;

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
  /** Open transactions by first offset (Kafka's ongoingTxns), and completed ones the HW has not passed yet. */
  private readonly ongoingTxns = new Map<bigint, TxnMetadata>();
  private readonly unreplicatedTxns = new Map<bigint, TxnMetadata>();

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
    const completedTxns: CompletedTxn[] = [];
    for (const b of batches) {
      if (origin === 'client' && !b.control) {
        const duplicate = this.producers.get(b.producerId)?.findDuplicate(b);
        if (duplicate) return { duplicate, updates, completedTxns };
      }
      this.appendBatch(updates, b, origin, completedTxns);
    }
    return { updates, completedTxns };
  }

  private appendBatch(updates: Map<bigint, ProducerAppendInfo>, b: ProducerBatch, origin: AppendOrigin, completed: CompletedTxn[]): void {
    const info = this.prepare(updates, b.producerId, origin);
    if (!b.control) info.appendDataBatch(b);
    else if (b.endTxn) completed.push(info.appendEndTxnMarker(b, b.endTxn));
    // A control batch without a marker (another control type, or emptied by the cleaner) changes nothing.
  }

  /** Applies validated changes (after the batches are in the log); the transactions they start become ongoing. */
  update(updates: ReadonlyMap<bigint, ProducerAppendInfo>): void {
    for (const [id, info] of updates) {
      this.producers.set(id, info.entry);
      for (const first of info.startedTransactions) this.ongoingTxns.set(first, { producerId: id, firstOffset: first, lastOffset: null });
    }
  }

  /**
   * Replays batches already in the log (follower appends, recovery) one by one, as Kafka's updateProducers: no
   * sequence checks, stale epochs only warn; markers complete their transactions (`onCompleted` sees each).
   */
  replay(batches: readonly ProducerBatch[], onCompleted?: OnTxnCompleted): void {
    for (const b of batches) {
      const updates = new Map<bigint, ProducerAppendInfo>();
      const completed: CompletedTxn[] = [];
      this.appendBatch(updates, b, 'replication', completed);
      this.update(updates);
      this.completeTxns(completed, onCompleted);
    }
  }

  /** Kafka's lastStableOffset(completedTxn): the first offset of the earliest other open transaction, or after the marker. */
  lastStableOffset(txn: CompletedTxn): bigint {
    let min: bigint | null = null;
    for (const t of this.ongoingTxns.values()) if (t.producerId !== txn.producerId && (min === null || t.firstOffset < min)) min = t.firstOffset;
    return min ?? txn.lastOffset + 1n;
  }

  /** The markers of `txns` are written: each transaction moves from ongoing to unreplicated (Kafka's completeTxn). */
  completeTxns(txns: readonly CompletedTxn[], onCompleted?: OnTxnCompleted): void {
    for (const txn of txns) {
      const lso = this.lastStableOffset(txn);
      onCompleted?.(txn, lso);
      const meta = this.ongoingTxns.get(txn.firstOffset);
      if (!meta) this.logger?.warn({ partition: this.topicPartition, producerId: String(txn.producerId), firstOffset: String(txn.firstOffset) }, 'completed a transaction that was not ongoing');
      this.ongoingTxns.delete(txn.firstOffset);
      this.unreplicatedTxns.set(txn.firstOffset, { producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset });
    }
  }

  /** The first offset of an open transaction, or of a completed one whose marker is not below the HW yet; null if none. */
  get firstUnstableOffset(): bigint | null {
    let min: bigint | null = null;
    for (const m of [this.ongoingTxns, this.unreplicatedTxns]) for (const first of m.keys()) if (min === null || first < min) min = first;
    return min;
  }

  /** Open transactions, oldest first (for inspection). */
  ongoingTransactions(): TxnMetadata[] {
    return [...this.ongoingTxns.values()].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Completed transactions whose marker is below `hw` are replicated: they no longer hold the LSO back. */
  onHighWatermarkUpdated(hw: bigint): void {
    this.removeUnreplicatedTransactions(hw);
  }

  private removeUnreplicatedTransactions(offset: bigint): void {
    for (const [first, t] of this.unreplicatedTxns) if (t.lastOffset !== null && t.lastOffset < offset) this.unreplicatedTxns.delete(first);
  }

  private clearTxns(): void {
    this.ongoingTxns.clear();
    this.unreplicatedTxns.clear();
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
  /** A snapshot's entry: its open transaction (currentTxnFirstOffset) is ongoing again (Kafka's loadProducerEntry). */
  private loadProducerEntry(entry: ProducerStateEntry): void {
    this.producers.set(entry.producerId, entry);
    const first = entry.currentTxnFirstOffset;
    if (first !== null) this.ongoingTxns.set(first, { producerId: entry.producerId, firstOffset: first, lastOffset: null });
  }

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
        for (const entry of readSnapshot(file)) if (!this.isExpired(now, entry)) this.loadProducerEntry(entry);
        this.lastSnapOffset = offset;
        this.lastMapOffset = offset;
        this.logger?.info({ partition: this.topicPartition, snapshot: path.basename(file), producers: this.producers.size }, 'loaded producer state snapshot');
        return;
      } catch (err) {
        this.logger?.warn({ partition: this.topicPartition, snapshot: path.basename(file), err: (err as Error).message }, 'deleting unreadable producer state snapshot');
        this.producers.clear();
        this.clearTxns();
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
      // The offset is at most the HW, so no unreplicated transaction survives a truncation (Kafka's comment).
      this.clearTxns();
      this.loadFromSnapshot(logStartOffset, now);
    } else {
      this.onLogStartOffsetIncremented(logStartOffset);
    }
  }

  /** A follower that starts over at `offset` (its log was emptied) forgets every producer and snapshot. */
  truncateFullyAndStartAt(offset: bigint): void {
    this.producers.clear();
    this.clearTxns();
    for (const s of this.snapshots.slice()) this.removeAndDeleteSnapshot(s);
    this.lastSnapOffset = 0n;
    this.lastMapOffset = offset;
  }

  onLogStartOffsetIncremented(logStartOffset: bigint): void {
    this.removeUnreplicatedTransactions(logStartOffset);
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

