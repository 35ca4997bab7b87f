// Leader epoch → start offset history of one partition (KIP-101/279), backed by its leader-epoch-checkpoint file.
import { EpochEntry, LeaderEpochCheckpointFile } from './checkpoints';
import { floorIndex } from '../util/binarySearch';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1n;

export class LeaderEpochFileCache {
  private entries: EpochEntry[];
  // Writes are serialised and coalesced: only the latest state needs to reach the disk.
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private writeError: unknown = null;

  constructor(readonly checkpoint: LeaderEpochCheckpointFile | null, initial?: EpochEntry[]) {
    this.entries = initial ?? checkpoint?.readSync() ?? [];
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }
  latestEpoch(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? UNDEFINED_EPOCH;
  }
  earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }
  /** The entry of the epoch `offset` belongs to: the last one starting at or below it. */
  floorEntry(offset: bigint): EpochEntry | undefined {
    return this.entries[this.floorByStartOffset(offset)];
  }
  /** Entries are kept in ascending epoch and start offset order (see assign), so both search by bisection. */
  private floorByStartOffset(offset: bigint): number {
    return floorIndex(this.entries.length, (i) => (this.entries[i] as EpochEntry).startOffset <= offset);
  }

  /**
   * Records that `epoch` starts at `startOffset` (Kafka's rule: a new epoch, or the same epoch starting earlier).
   * Entries that would break monotonicity (epoch or start offset >= the new one) are dropped first.
   */
  assign(epoch: number, startOffset: bigint): boolean {
    if (epoch < 0 || startOffset < 0n) return false;
    const last = this.entries[this.entries.length - 1];
    if (last && last.epoch === epoch && startOffset >= last.startOffset) return false;
    while (this.entries.length > 0) {
      const tail = this.entries[this.entries.length - 1] as EpochEntry;
      if (tail.epoch >= epoch || tail.startOffset >= startOffset) this.entries.pop();
      else break;
    }
    this.entries.push({ epoch, startOffset });
    this.persist();
    return true;
  }
  /**
   * The epochs an append starts: the leader's (`leaderEpoch`) at the append's first offset; on a follower
   * (`leaderEpoch` null) every batch whose epoch is newer than the latest, at its base offset. True when an epoch
   * was recorded (the append then waits for durable()).
   */
  assignForAppend(leaderEpoch: number | null, firstOffset: bigint, batches: readonly { partitionLeaderEpoch: number; baseOffset: bigint }[]): boolean {
    if (leaderEpoch !== null) return this.assign(leaderEpoch, firstOffset);
    let assigned = false;
    for (const b of batches) if (b.partitionLeaderEpoch > this.latestEpoch()) assigned = this.assign(b.partitionLeaderEpoch, b.baseOffset) || assigned;
    return assigned;
  }


  /** Drops entries starting at or after `endOffset` (log truncated to endOffset). */
  truncateFromEnd(endOffset: bigint): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persist();
    }
  }

  /** The log now starts at `startOffset`: drop older epochs, move the epoch covering it up to it. */
  truncateFromStart(startOffset: bigint): void {
    const idx = this.floorByStartOffset(startOffset);
    if (idx < 0) return;
    const covering = this.entries[idx] as EpochEntry;
    const next = [{ epoch: covering.epoch, startOffset }, ...this.entries.slice(idx + 1)];
    if (idx === 0 && covering.startOffset === startOffset) return;
    this.entries = next;
    this.persist();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  /**
   * OffsetForLeaderEpoch semantics (Kafka 2.8 LeaderEpochFileCache.endOffsetFor): the largest epoch <= requested
   * and the start offset of the first epoch above it, or the log end offset when requested is the latest epoch.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: bigint): { epoch: number; endOffset: bigint } {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (this.entries.length > 0 && this.latestEpoch() === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const floorAt = floorIndex(this.entries.length, (i) => (this.entries[i] as EpochEntry).epoch <= requestedEpoch);
    const higher = this.entries[floorAt + 1];
    if (!higher) return undefinedAnswer;
    const floor = this.entries[floorAt];
    if (!floor) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  private persist(): void {
    if (!this.checkpoint) return;
    this.dirty = true;
    const file = this.checkpoint;
    this.writing = this.writing
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        await file.write(this.entries.slice());
      })
      .catch((e: unknown) => {
        // A failed write leaves the previous file; the next change or flushSync retries.
        this.dirty = true;
        this.writeError = e;
      });
  }

  /** Waits for pending checkpoint writes (used by close and tests). */
  async flush(): Promise<void> {
    await this.writing;
  }

  /** Waits until the current entries are on disk; throws when the write failed (the log then goes offline). */
  async durable(): Promise<void> {
    await this.writing;
    if (this.writeError !== null) {
      const e = this.writeError;
      this.writeError = null;
      throw e;
    }
  }

  flushSync(): void {
    this.checkpoint?.writeSync(this.entries);
    this.dirty = false;
  }
}
