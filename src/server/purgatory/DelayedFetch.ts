// A fetch long-polling until min.bytes are readable (or leadership/epoch changes) or max.wait.ms passes.
import { ErrorCode } from '../../protocol/errors';
import { DelayedOperation } from './DelayedOperation';

/** Where a fetch may read up to (Kafka's FetchIsolation): followers the LEO, consumers the HW or the LSO. */
export type FetchIsolation = 'log-end' | 'high-watermark' | 'txn-committed';

export interface FetchPartitionStatus {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  currentLeaderEpoch: number;
  maxBytes: number;
}

/** The part of a Partition a delayed fetch looks at. */
export interface FetchCheck {
  readonly isLeader: boolean;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logEndOffset: bigint;
  checkLeaderEpoch(currentLeaderEpoch: number): number;
  bytesBetween(from: bigint, to: bigint): number;
}

export class DelayedFetch extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly minBytes: number,
    /**
     * Followers read up to the LEO, read_uncommitted consumers up to the HW, read_committed ones up to the LSO (which
     * moves with the HW and with transaction markers; both re-check this fetch's partition keys).
     */
    private readonly isolation: FetchIsolation,
    private readonly statuses: readonly FetchPartitionStatus[],
    private readonly lookup: (topic: string, partition: number) => FetchCheck | undefined,
    private readonly respond: () => void,
  ) {
    super(delayMs);
  }

  override tryComplete(): boolean {
    let accumulated = 0;
    for (const s of this.statuses) {
      const p = this.lookup(s.topic, s.partition);
      // Gone, moved, or fenced: answer now so the client learns it.
      if (!p || !p.isLeader || p.checkLeaderEpoch(s.currentLeaderEpoch) !== ErrorCode.NONE) return this.forceComplete();
      const end = this.isolation === 'log-end' ? p.logEndOffset : this.isolation === 'txn-committed' ? p.lastStableOffset : p.highWatermark;
      // The log was truncated below the fetch position: answer (the read reports OFFSET_OUT_OF_RANGE).
      if (p.logEndOffset < s.fetchOffset) return this.forceComplete();
      if (end > s.fetchOffset) accumulated += Math.min(p.bytesBetween(s.fetchOffset, end), s.maxBytes);
    }
    if (accumulated >= this.minBytes) return this.forceComplete();
    return false;
  }

  protected override onComplete(): void {
    this.respond();
  }
}
