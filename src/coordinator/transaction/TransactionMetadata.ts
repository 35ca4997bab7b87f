// One transactional id's state on its coordinator (Kafka 2.8's TransactionMetadata): the current producer id and
// epoch, the open transaction's partitions, and the state machine. A change is prepared (pendingState set, the
// proposed TxnTransitMetadata returned), written to __transaction_state, and only then completed; while a change
// is pending every other request for the id answers CONCURRENT_TRANSACTIONS. Node runs each prepare/complete
// without interleaving, which stands in for Kafka's per-metadata lock.
import { parseTpKey, tpKey } from '../../util/types';
import { groupByTopic, type TransactionLogValue, type TransactionState } from './TransactionLog';

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

/** Which states may precede each state (TransactionMetadata.validPreviousStates). */
export const VALID_PREVIOUS_STATES: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** An epoch at Short.MAX - 1 or above leaves no room for a fence bump: InitProducerId rotates the producer id. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

/** A proposed next state of a transactional id, as written to the log (Kafka's TxnTransitMetadata). */
export interface TxnTransitMetadata {
  producerId: bigint;
  lastProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  txnState: TransactionState;
  /** tpKey strings. */
  topicPartitions: ReadonlySet<string>;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

export class IllegalTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalTransitionError';
  }
}

/** The log value of a transit (its state as stored: a fence is never written, it goes out as PrepareAbort). */
export function transitToLogValue(t: TxnTransitMetadata): TransactionLogValue {
  return {
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    txnTimeoutMs: t.txnTimeoutMs,
    state: t.txnState,
    topicPartitions: groupByTopic([...t.topicPartitions].map(parseTpKey)),
    txnLastUpdateTimestamp: BigInt(t.txnLastUpdateTimestamp),
    txnStartTimestamp: BigInt(t.txnStartTimestamp),
  };
}

export interface TransactionMetadataInit {
  transactionalId: string;
  producerId: bigint;
  lastProducerId?: bigint;
  producerEpoch: number;
  lastProducerEpoch?: number;
  txnTimeoutMs: number;
  state: TransactionState;
  topicPartitions?: Iterable<string>;
  txnStartTimestamp?: number;
  txnLastUpdateTimestamp: number;
}

export class TransactionMetadata {
  readonly transactionalId: string;
  producerId: bigint;
  lastProducerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  readonly topicPartitions: Set<string>;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  pendingState: TransactionState | null = null;
  /** A fence whose log write failed keeps its bumped epoch for the next attempt instead of bumping again. */
  hasFailedEpochFence = false;

  constructor(init: TransactionMetadataInit) {
    this.transactionalId = init.transactionalId;
    this.producerId = init.producerId;
    this.lastProducerId = init.lastProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.topicPartitions = new Set(init.topicPartitions ?? []);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  private get hasPendingTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareAbort' || this.state === 'PrepareCommit';
  }

  addPartitions(partitions: Iterable<string>): void {
    for (const p of partitions) this.topicPartitions.add(p);
  }

  /** A partition whose marker is written (or that no longer exists) leaves the completing transaction. */
  removePartition(tp: string): void {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort') {
      throw new IllegalTransitionError(`${this.transactionalId}: removing marker partition ${tp} in state ${this.state}`);
    }
    this.topicPartitions.delete(tp);
  }

  /** Bumps the epoch to abort the open transaction (InitProducerId during Ongoing, or a timeout). */
  prepareFenceProducerEpoch(): TxnTransitMetadata {
    if (this.producerEpoch === SHORT_MAX) throw new IllegalTransitionError(`${this.transactionalId}: cannot fence epoch ${SHORT_MAX}`);
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo('PrepareEpochFence', this.producerId, bumped, NO_PRODUCER_EPOCH, this.txnTimeoutMs,
      this.topicPartitions, this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  /**
   * InitProducerId's epoch bump. With an expected epoch (KIP-360, v3+) it must be the current epoch (bump) or the
   * previous one (a retry of a bump whose answer was lost: the current epoch is returned again); else PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedProducerEpoch: number | null, now: number): TxnTransitMetadata | 'PRODUCER_FENCED' {
    if (this.isProducerEpochExhausted) throw new IllegalTransitionError(`${this.transactionalId}: producer epochs exhausted for ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedProducerEpoch === null) {
      next = bumped;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedProducerEpoch === this.producerEpoch) {
      next = bumped;
      last = this.producerEpoch;
    } else if (expectedProducerEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return 'PRODUCER_FENCED';
    }
    return this.prepareTransitionTo('Empty', this.producerId, next, last, newTxnTimeoutMs, [], -1, now);
  }

  /** A new producer id at epoch 0 once the epochs of the current one are used up. */
  prepareProducerIdRotation(newProducerId: bigint, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransitMetadata {
    if (this.hasPendingTransaction) throw new IllegalTransitionError(`${this.transactionalId}: cannot rotate the producer id during a transaction`);
    return this.prepareTransitionTo('Empty', newProducerId, 0, recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      newTxnTimeoutMs, [], -1, now);
  }

  prepareAddPartitions(added: Iterable<string>, now: number): TxnTransitMetadata {
    const start = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit' ? now : this.txnStartTimestamp;
    return this.prepareTransitionTo('Ongoing', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      new Set([...this.topicPartitions, ...added]), start, now);
  }

  prepareAbortOrCommit(newState: 'PrepareCommit' | 'PrepareAbort', now: number): TxnTransitMetadata {
    return this.prepareTransitionTo(newState, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      this.topicPartitions, this.txnStartTimestamp, now);
  }

  prepareComplete(now: number): TxnTransitMetadata {
    const newState = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(newState, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      [], this.txnStartTimestamp, now);
  }

  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo('Dead', this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs,
      [], this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  private prepareTransitionTo(
    newState: TransactionState,
    newProducerId: bigint,
    newEpoch: number,
    newLastEpoch: number,
    newTxnTimeoutMs: number,
    newTopicPartitions: Iterable<string>,
    newTxnStartTimestamp: number,
    updateTimestamp: number,
  ): TxnTransitMetadata {
    if (this.pendingState !== null) {
      throw new IllegalTransitionError(`${this.transactionalId}: preparing ${newState} while ${this.pendingState} is pending`);
    }
    if (newProducerId < 0n) throw new IllegalTransitionError(`illegal new producer id ${newProducerId}`);
    if (newEpoch < 0) throw new IllegalTransitionError(`illegal new producer epoch ${newEpoch}`);
    if (!VALID_PREVIOUS_STATES[newState].includes(this.state)) {
      throw new IllegalTransitionError(`${this.transactionalId}: ${newState} cannot follow ${this.state}`);
    }
    this.pendingState = newState;
    return {
      producerId: newProducerId,
      lastProducerId: this.producerId,
      producerEpoch: newEpoch,
      lastProducerEpoch: newLastEpoch,
      txnTimeoutMs: newTxnTimeoutMs,
      txnState: newState,
      topicPartitions: new Set(newTopicPartitions),
      txnStartTimestamp: newTxnStartTimestamp,
      txnLastUpdateTimestamp: updateTimestamp,
    };
  }

  /** Applies a transit once it is in the log; a transit that does not follow from this state is a bug. */
  completeTransitionTo(t: TxnTransitMetadata): void {
    const toState = this.pendingState;
    if (toState === null) throw new IllegalTransitionError(`${this.transactionalId}: completing ${t.txnState} without a pending state`);
    const fail = (): never => {
      throw new IllegalTransitionError(`${this.transactionalId}: unexpected transition from ${this.state} to ${JSON.stringify({ ...t, topicPartitions: [...t.topicPartitions] }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    };
    if (toState !== t.txnState) fail();
    const sameProducer = t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
    switch (toState) {
      case 'Empty': {
        const validBump = t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
        if ((this.producerEpoch !== t.producerEpoch && !validBump) || t.topicPartitions.size > 0 || t.txnStartTimestamp !== -1) fail();
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.lastProducerId = t.lastProducerId;
        break;
      }
      case 'Ongoing':
        if (!sameProducer || this.txnTimeoutMs !== t.txnTimeoutMs || [...this.topicPartitions].some((p) => !t.topicPartitions.has(p))) fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.addPartitions(t.topicPartitions);
        break;
      case 'PrepareAbort':
      case 'PrepareCommit':
        if (!sameProducer || this.txnTimeoutMs !== t.txnTimeoutMs || this.txnStartTimestamp !== t.txnStartTimestamp ||
          this.topicPartitions.size !== t.topicPartitions.size || [...this.topicPartitions].some((p) => !t.topicPartitions.has(p))) fail();
        break;
      case 'CompleteAbort':
      case 'CompleteCommit':
        if (!sameProducer || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) fail();
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.topicPartitions.clear();
        break;
      case 'PrepareEpochFence':
        fail();
        break;
      case 'Dead':
        throw new IllegalTransitionError(`${this.transactionalId}: an expiring id is removed from the cache, never completed to Dead`);
    }
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = toState;
  }

  /** Rebuilds the metadata of a loaded log value (the previous producer id and epoch are not stored). */
  static fromLogValue(transactionalId: string, v: TransactionLogValue): TransactionMetadata {
    const tps: string[] = [];
    for (const t of v.topicPartitions) for (const p of t.partitions) tps.push(tpKey(t.topic, p));
    return new TransactionMetadata({
      transactionalId,
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      txnTimeoutMs: v.txnTimeoutMs,
      state: v.state,
      topicPartitions: tps,
      txnStartTimestamp: Number(v.txnStartTimestamp),
      txnLastUpdateTimestamp: Number(v.txnLastUpdateTimestamp),
    });
  }
}
