// An acks=-1 produce waiting until the high watermark of every appended partition covers its append.
import { ErrorCode } from '../../protocol/errors';
import { DelayedOperation } from './DelayedOperation';

/** What a produce answers for one partition. */
export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  logAppendTime: bigint;
  logStartOffset: bigint;
}

export interface ProducePartitionStatus {
  result: ProducePartitionResult;
  /** Offset after the last appended record: the HW must reach it. */
  requiredOffset: bigint;
  acksPending: boolean;
}

/** The part of a Partition a delayed produce looks at. */
export interface ReplicationCheck {
  checkEnoughReplicasReachOffset(requiredOffset: bigint): { done: boolean; errorCode: number };
}

export class DelayedProduce extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly statuses: ProducePartitionStatus[],
    private readonly lookup: (topic: string, partition: number) => ReplicationCheck | undefined,
    private readonly respond: (results: ProducePartitionResult[]) => void,
  ) {
    super(delayMs);
    // Whatever is still pending at expiry answers REQUEST_TIMED_OUT.
    for (const s of statuses) if (s.acksPending) s.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
  }

  override tryComplete(): boolean {
    for (const s of this.statuses) {
      if (!s.acksPending) continue;
      const p = this.lookup(s.result.topic, s.result.partition);
      const { done, errorCode } = p ? p.checkEnoughReplicasReachOffset(s.requiredOffset) : { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
      if (done) {
        s.acksPending = false;
        s.result.errorCode = errorCode;
      }
    }
    if (this.statuses.some((s) => s.acksPending)) return false;
    return this.forceComplete();
  }

  protected override onComplete(): void {
    this.respond(this.statuses.map((s) => s.result));
  }
}
