// The transaction coordinator (Kafka 2.8's TransactionCoordinator): InitProducerId with a transactional id,
// AddPartitionsToTxn/AddOffsetsToTxn, EndTxn, timeouts of open transactions, and leadership changes of
// __transaction_state partitions; plus Kafka 3.0's DescribeTransactions/ListTransactions views. Error codes are the
// coordinator's own: handlers rewrite PRODUCER_FENCED for old request versions.
import { ErrorCode, errorName } from '../../protocol/errors';
import type { Logger } from '../../util/logger';
import { parseTpKey } from '../../util/types';
import type { Scheduler, TimerHandle } from '../Scheduler';
import { ALL_STATES, groupByTopic, type TopicPartitions, type TransactionState } from './TransactionLog';
import { isEpochExhausted, NO_PRODUCER_EPOCH, TransactionMetadata, type TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionMarkerChannelManager } from './TransactionMarkerChannelManager';
import type { TransactionStateManager } from './TransactionStateManager';

/** Kafka 3.0's TRANSACTIONAL_ID_NOT_FOUND (DescribeTransactions of an unknown id). */
export const TRANSACTIONAL_ID_NOT_FOUND = ErrorCode.TRANSACTIONAL_ID_NOT_FOUND;

export interface TransactionCoordinatorOptions {
  stateManager: TransactionStateManager;
  markers: TransactionMarkerChannelManager;
  generateProducerId: () => Promise<bigint>;
  /** Creates __transaction_state (first FindCoordinator for a transactional id). */
  createTransactionTopic: () => Promise<void>;
  scheduler: Scheduler;
  logger: Logger;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface TransactionDescription {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: TopicPartitions[];
}

export interface TransactionListing {
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: Array<{ transactionalId: string; producerId: bigint; transactionState: string }>;
}

const initError = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1n, producerEpoch: -1 });

type Prepared = { error: number } | { coordinatorEpoch: number; transit: TxnTransitMetadata } | { needsProducerId: true };

export class TransactionCoordinator {
  private readonly sm: TransactionStateManager;
  private readonly markers: TransactionMarkerChannelManager;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private timers: TimerHandle[] = [];
  private active = false;
  private creatingTopic: Promise<void> | null = null;

  constructor(private readonly opts: TransactionCoordinatorOptions) {
    this.sm = opts.stateManager;
    this.markers = opts.markers;
    this.scheduler = opts.scheduler;
    this.logger = opts.logger;
  }

  get stateManager(): TransactionStateManager {
    return this.sm;
  }

  partitionFor(transactionalId: string): number {
    return this.sm.partitionFor(transactionalId);
  }

  startup(): void {
    if (this.active) return;
    this.active = true;
    // Each task runs again `ms` after its previous run finished; only the next run's timer is kept.
    const every = (ms: number, fn: () => Promise<unknown>): void => {
      const slot = this.timers.length;
      const run = (): void => {
        if (!this.active) return;
        fn().catch((err: unknown) => this.logger.error({ err }, 'transaction coordinator task failed')).finally(() => {
          if (this.active) this.timers[slot] = this.scheduler.schedule(ms, run);
        });
      };
      this.timers[slot] = this.scheduler.schedule(ms, run);
    };
    every(this.opts.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOutTransactions());
    every(this.opts.removeExpiredTransactionalIdsIntervalMs, () => this.sm.removeExpiredTransactionalIds());
  }

  shutdown(): void {
    this.active = false;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.markers.shutdown();
    this.sm.shutdown();
  }

  /** Creates __transaction_state through the injected admin path; concurrent callers share one attempt. */
  ensureTransactionTopic(): Promise<void> {
    if (!this.creatingTopic) {
      this.creatingTopic = this.opts.createTransactionTopic()
        .catch((err: unknown) => this.logger.warn({ err }, 'creating __transaction_state failed'))
        .finally(() => {
          this.creatingTopic = null;
        });
    }
    return this.creatingTopic;
  }

  /** This broker became leader of __transaction_state-<partition> at `coordinatorEpoch`: load it, resend markers. */
  async onElection(partition: number, coordinatorEpoch: number): Promise<void> {
    // Already loaded at this epoch or a later one: nothing changed, and its markers in flight must go on.
    if (this.sm.ownedPartitions().some((p) => p.partition === partition && !p.loading && p.coordinatorEpoch >= coordinatorEpoch)) return;
    this.markers.removeMarkersForTxnTopicPartition(partition);
    const pending = await this.sm.loadPartition(partition, coordinatorEpoch);
    for (const p of pending) this.markers.addTxnMarkersToSend(p.coordinatorEpoch, p.commit, p.metadata, p.transit);
  }

  /** This broker no longer leads the partition: forget its ids and stop their markers. */
  onResignation(partition: number, coordinatorEpoch?: number): void {
    this.sm.unloadPartition(partition, coordinatorEpoch);
    this.markers.removeMarkersForTxnTopicPartition(partition);
  }

  async handleInitProducerId(transactionalId: string | null, transactionTimeoutMs: number, expected: { producerId: bigint; producerEpoch: number } | null): Promise<InitProducerIdResult> {
    if (transactionalId === null) {
      try {
        return { errorCode: ErrorCode.NONE, producerId: await this.opts.generateProducerId(), producerEpoch: 0 };
      } catch (err) {
        this.logger.warn({ err }, 'could not claim a producer id block');
        return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    if (!this.sm.validateTransactionTimeoutMs(transactionTimeoutMs)) return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let spareProducerId: bigint | null = null;
    let prepared: Prepared;
    for (;;) {
      let lookup = this.sm.getTransactionState(transactionalId);
      if (!lookup.ok) return initError(lookup.error);
      if (!lookup.metadata) {
        if (spareProducerId === null) {
          spareProducerId = await this.newProducerId();
          if (spareProducerId === null) return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
          continue; // look again: the id may have been created (or the partition lost) meanwhile
        }
        lookup = this.sm.putTransactionStateIfNotExists(new TransactionMetadata({
          transactionalId,
          producerId: spareProducerId,
          producerEpoch: NO_PRODUCER_EPOCH,
          txnTimeoutMs: transactionTimeoutMs,
          state: 'Empty',
          txnLastUpdateTimestamp: this.scheduler.now(),
        }));
        if (!lookup.ok || !lookup.metadata) return initError(lookup.ok ? ErrorCode.NOT_COORDINATOR : lookup.error);
        if (lookup.metadata.producerId === spareProducerId) spareProducerId = null;
      }
      prepared = this.prepareInitProducerIdTransit(transactionTimeoutMs, lookup.coordinatorEpoch, lookup.metadata, expected, spareProducerId);
      if (!('needsProducerId' in prepared)) break;
      spareProducerId = await this.newProducerId();
      if (spareProducerId === null) return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    if ('error' in prepared) return initError(prepared.error);
    const { coordinatorEpoch, transit } = prepared;
    if (transit.txnState === 'PrepareEpochFence') {
      // Abort the open transaction under the bumped epoch; the client retries and then gets a second bump.
      const error = await this.endTransaction(transactionalId, transit.producerId, transit.producerEpoch, false, false);
      return initError(error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : error);
    }
    const error = await this.sm.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error !== ErrorCode.NONE) return initError(error);
    this.logger.info({ transactionalId, producerId: String(transit.producerId), producerEpoch: transit.producerEpoch, partition: this.partitionFor(transactionalId) }, 'initialized transactional id');
    return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
  }

  private async newProducerId(): Promise<bigint | null> {
    try {
      return await this.opts.generateProducerId();
    } catch (err) {
      this.logger.warn({ err }, 'could not claim a producer id block');
      return null;
    }
  }

  private prepareInitProducerIdTransit(
    timeoutMs: number,
    coordinatorEpoch: number,
    m: TransactionMetadata,
    expected: { producerId: bigint; producerEpoch: number } | null,
    spareProducerId: bigint | null,
  ): Prepared {
    // KIP-360: a given producer id must be the current one, or the previous one with an exhausted epoch (a retry of
    // a rotation whose answer was lost); a just-created id (epoch -1) accepts any.
    const validExpected = expected === null || m.producerEpoch === NO_PRODUCER_EPOCH || expected.producerId === m.producerId ||
      (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch));
    if (m.pendingTransitionInProgress) return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
    if (!validExpected) return { error: ErrorCode.PRODUCER_FENCED };
    switch (m.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return { error: ErrorCode.CONCURRENT_TRANSACTIONS };
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty': {
        if (m.isProducerEpochExhausted && (expected === null || expected.producerEpoch === m.producerEpoch)) {
          if (spareProducerId === null) return { needsProducerId: true };
          return { coordinatorEpoch, transit: m.prepareProducerIdRotation(spareProducerId, timeoutMs, this.scheduler.now(), expected !== null) };
        }
        const t = m.prepareIncrementProducerEpoch(timeoutMs, expected?.producerEpoch ?? null, this.scheduler.now());
        return t === 'PRODUCER_FENCED' ? { error: ErrorCode.PRODUCER_FENCED } : { coordinatorEpoch, transit: t };
      }
      case 'Ongoing':
        return { coordinatorEpoch, transit: m.prepareFenceProducerEpoch() };
      case 'Dead':
      case 'PrepareEpochFence':
        this.logger.error({ transactionalId: m.transactionalId, state: m.state }, 'transactional id in a state it should never rest in');
        return { error: ErrorCode.UNKNOWN_SERVER_ERROR };
    }
  }

  /** Adds partitions (tpKey strings) to the transaction, starting one if none is open. */
  async handleAddPartitionsToTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: readonly string[]): Promise<number> {
    if (!transactionalId) return ErrorCode.INVALID_REQUEST;
    const lookup = this.sm.getTransactionState(transactionalId);
    if (!lookup.ok) return lookup.error;
    const m = lookup.metadata;
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (m.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (m.state === 'Ongoing' && partitions.every((p) => m.topicPartitions.has(p))) return ErrorCode.NONE;
    const transit = m.prepareAddPartitions(partitions, this.scheduler.now());
    return this.sm.appendTransactionToLog(transactionalId, lookup.coordinatorEpoch, transit);
  }

  handleEndTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, commit, true);
  }

  /**
   * Writes PrepareCommit/PrepareAbort, answers once it is replicated, then has the markers written in the
   * background. Not from a client (fence, timeout), the epoch given is the bumped one the abort is written under.
   */
  private async endTransaction(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, isFromClient: boolean): Promise<number> {
    if (!transactionalId) return ErrorCode.INVALID_REQUEST;
    const lookup = this.sm.getTransactionState(transactionalId);
    if (!lookup.ok) return lookup.error;
    const m = lookup.metadata;
    const coordinatorEpoch = lookup.coordinatorEpoch;
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    // Clients must match the epoch exactly; the coordinator's own aborts carry a bumped one.
    if ((isFromClient && producerEpoch !== m.producerEpoch) || producerEpoch < m.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (m.pendingTransitionInProgress && m.pendingState !== 'PrepareEpochFence') return ErrorCode.CONCURRENT_TRANSACTIONS;
    let isEpochFence = false;
    let transit: TxnTransitMetadata;
    switch (m.state) {
      case 'Ongoing': {
        const next = commit ? 'PrepareCommit' : 'PrepareAbort';
        if (next === 'PrepareAbort' && m.pendingState === 'PrepareEpochFence') {
          isEpochFence = true;
          m.pendingState = null;
          m.producerEpoch = producerEpoch;
          m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = m.prepareAbortOrCommit(next, this.scheduler.now());
        break;
      }
      case 'CompleteCommit':
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return ErrorCode.INVALID_TXN_STATE;
      default:
        this.logger.error({ transactionalId, state: m.state }, 'transactional id in a state it should never rest in');
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const error = await this.sm.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (error !== ErrorCode.NONE) {
      if (isEpochFence) {
        const now = this.sm.getTransactionState(transactionalId);
        if (now.ok && now.metadata && now.coordinatorEpoch === coordinatorEpoch) now.metadata.hasFailedEpochFence = true;
      }
      return error;
    }
    // Re-check before sending markers: leadership or the producer may have changed during the append.
    const after = this.sm.getTransactionState(transactionalId);
    if (!after.ok) return after.error;
    if (!after.metadata || after.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const am = after.metadata;
    if (am.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (am.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (am.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (am.state !== (commit ? 'PrepareCommit' : 'PrepareAbort')) return ErrorCode.INVALID_TXN_STATE;
    const complete = am.prepareComplete(this.scheduler.now());
    this.markers.addTxnMarkersToSend(coordinatorEpoch, commit, am, complete);
    return ErrorCode.NONE;
  }

  /** Aborts, with an epoch bump, every Ongoing transaction past its timeout (Kafka's abortTimedOutTransactions). */
  async abortTimedOutTransactions(): Promise<void> {
    const aborts: Array<Promise<void>> = [];
    for (const t of this.sm.timedOutTransactions()) {
      const lookup = this.sm.getTransactionState(t.transactionalId);
      if (!lookup.ok || !lookup.metadata) continue;
      const m = lookup.metadata;
      if (m.producerId !== t.producerId || m.pendingTransitionInProgress) continue;
      const fence = m.prepareFenceProducerEpoch();
      this.logger.info({ transactionalId: t.transactionalId, producerId: String(t.producerId), epoch: fence.producerEpoch }, 'aborting a timed-out transaction');
      aborts.push(this.endTransaction(t.transactionalId, fence.producerId, fence.producerEpoch, false, false).then((error) => {
        if (error !== ErrorCode.NONE) this.logger.info({ transactionalId: t.transactionalId, error: errorName(error) }, 'abort of a timed-out transaction did not happen');
      }));
    }
    await Promise.all(aborts);
  }

  /** DescribeTransactions for one id, from the loaded state. */
  handleDescribeTransactions(transactionalId: string): TransactionDescription {
    const out: TransactionDescription = {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: -1n,
      producerEpoch: -1,
      topics: [],
    };
    if (!this.active) return { ...out, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (transactionalId === '') return { ...out, errorCode: ErrorCode.INVALID_REQUEST };
    const lookup = this.sm.getTransactionState(transactionalId);
    if (!lookup.ok) return { ...out, errorCode: lookup.error };
    const m = lookup.metadata;
    if (!m || m.state === 'Dead') return { ...out, errorCode: TRANSACTIONAL_ID_NOT_FOUND };
    return {
      ...out,
      transactionState: m.state,
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStartTimeMs: BigInt(m.txnStartTimestamp),
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topics: groupByTopic([...m.topicPartitions].map(parseTpKey)),
    };
  }

  /** ListTransactions: every loaded id, filtered by state names and producer ids (empty filters match all). */
  handleListTransactions(stateFilters: readonly string[], producerIdFilters: readonly bigint[]): TransactionListing {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
    if (this.sm.isLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactionStates: [] };
    const known = new Set<string>(ALL_STATES);
    const unknownStateFilters = stateFilters.filter((s) => !known.has(s));
    const states = stateFilters.length > 0 ? new Set(stateFilters.filter((s) => known.has(s)) as TransactionState[]) : null;
    const txns = this.sm.listTransactions(states, new Set(producerIdFilters));
    return {
      errorCode: ErrorCode.NONE,
      unknownStateFilters,
      transactionStates: txns.map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state })),
    };
  }
}

/**
 * The coordinator always says PRODUCER_FENCED; clients before InitProducerId v4 and AddPartitionsToTxn/AddOffsetsToTxn/
 * EndTxn v2 only know INVALID_PRODUCER_EPOCH, which Kafka's KafkaApis answers them instead.
 */
export function rewriteProducerFenced(errorCode: number, clientKnowsProducerFenced: boolean): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && !clientKnowsProducerFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
