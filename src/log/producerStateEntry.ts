// A producer's entry in the producer state (Kafka 2.8's ProducerStateEntry): its epoch, its last batches (the dedupe
// window), coordinator epoch, last timestamp and the first offset of its open transaction; with the batch fields the
// producer state reads and the sequence arithmetic they need.

/** Kafka's ProducerStateEntry.NumBatchesToRetain: the dedupe window per producer. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const INT32_MAX = 0x7fffffff;

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
  /** The end-transaction marker of a control batch; null for data batches and control batches without one. */
  endTxn?: { commit: boolean; coordinatorEpoch: number } | null;
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
