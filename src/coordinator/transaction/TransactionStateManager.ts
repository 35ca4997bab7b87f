// The transaction coordinator's cache of transactional ids per owned __transaction_state partition, and the log
// behind it (Kafka 2.8's TransactionStateManager): loading a partition on becoming its leader, unloading it on
// losing leadership, appending state changes with acks=-1, and finding timed-out and expired ids.
import { ErrorCode } from '../../protocol/errors';
import { iterateBatches, isControl } from '../../protocol/record/batch-header';
import { buildRecordBatchSync, decodeBatchRecordsSync } from '../../protocol/record/records';
import type { Logger } from '../../util/logger';
import { partitionFor } from '../javaHash';
import type { Scheduler } from '../Scheduler';
import { TRANSACTION_STATE_TOPIC, decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type TransactionState } from './TransactionLog';
import { TransactionMetadata, transitToLogValue, type TxnTransitMetadata } from './TransactionMetadata';

/** What the state manager needs of __transaction_state (the server adapts ReplicaManager to it). */
export interface TransactionStateStore {
  /** Appends one batch as leader with acks=-1; resolves with the produce error code (never rejects for those). */
  append(partition: number, batch: Buffer, timeoutMs: number): Promise<{ errorCode: number }>;
  /** Whole batches from `fromOffset` up to about `maxBytes`, bounded by the log end offset, which is returned. */
  read(partition: number, fromOffset: bigint, maxBytes: number): Promise<{ records: Buffer; highWatermark: bigint }>;
  logStartOffset(partition: number): bigint | null;
}

export interface TransactionStateConfig {
  numPartitions: number;
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  /** Timeout of appends to __transaction_state (request.timeout.ms in Kafka). */
  requestTimeoutMs: number;
  loadBufferSize: number;
}

export type TxnStateLookup =
  | { readonly ok: false; readonly error: number }
  | { readonly ok: true; readonly coordinatorEpoch: number; readonly metadata: TransactionMetadata | null };

/** A transaction whose PrepareCommit/PrepareAbort was loaded from the log: its markers must be sent again. */
export interface PendingCompletion {
  coordinatorEpoch: number;
  commit: boolean;
  metadata: TransactionMetadata;
  transit: TxnTransitMetadata;
}

type PartitionState =
  | { status: 'loading'; coordinatorEpoch: number }
  | { status: 'loaded'; coordinatorEpoch: number; txns: Map<string, TransactionMetadata> };

export interface TimedOutTransaction {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

/** Maps an append failure to what the coordinator answers (TransactionStateManager.appendTransactionToLog). */
export function mapAppendError(code: number): number {
  switch (code) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

export class TransactionStateManager {
  private readonly partitions = new Map<number, PartitionState>();

  constructor(
    readonly config: TransactionStateConfig,
    private readonly store: TransactionStateStore,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {
    this.partitionCount = config.numPartitions;
  }

  private partitionCount: number;

  partitionFor(transactionalId: string): number {
    return partitionFor(transactionalId, this.partitionCount);
  }

  /**
   * Places ids by the partition count of an existing __transaction_state (read from ZooKeeper at start-up, as Kafka's
   * retrieveTransactionTopicPartitionCount) rather than transaction.state.log.num.partitions, which may have changed.
   */
  useTopicPartitionCount(n: number): void {
    if (n > 0) this.partitionCount = n;
  }

  validateTransactionTimeoutMs(ms: number): boolean {
    return ms <= this.config.transactionMaxTimeoutMs && ms > 0;
  }

  /** NOT_COORDINATOR for a partition this broker does not own, COORDINATOR_LOAD_IN_PROGRESS while it loads. */
  getTransactionState(transactionalId: string): TxnStateLookup {
    const p = this.partitions.get(this.partitionFor(transactionalId));
    if (!p) return { ok: false, error: ErrorCode.NOT_COORDINATOR };
    if (p.status === 'loading') return { ok: false, error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { ok: true, coordinatorEpoch: p.coordinatorEpoch, metadata: p.txns.get(transactionalId) ?? null };
  }

  /** Adds `metadata` unless the id is already known, and returns what the cache then holds. */
  putTransactionStateIfNotExists(metadata: TransactionMetadata): TxnStateLookup {
    const p = this.partitions.get(this.partitionFor(metadata.transactionalId));
    if (!p) return { ok: false, error: ErrorCode.NOT_COORDINATOR };
    if (p.status === 'loading') return { ok: false, error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    let m = p.txns.get(metadata.transactionalId);
    if (!m) p.txns.set(metadata.transactionalId, (m = metadata));
    return { ok: true, coordinatorEpoch: p.coordinatorEpoch, metadata: m };
  }

  /** Whether this broker has loaded (or is loading) the partition, and at which coordinator epoch. */
  ownedPartitions(): Array<{ partition: number; coordinatorEpoch: number; loading: boolean }> {
    return [...this.partitions].map(([partition, s]) => ({ partition, coordinatorEpoch: s.coordinatorEpoch, loading: s.status === 'loading' }));
  }

  get isLoading(): boolean {
    for (const s of this.partitions.values()) if (s.status === 'loading') return true;
    return false;
  }

  /** Every loaded transactional id (for ListTransactions and the periodic tasks). */
  *allTransactions(): Iterable<{ coordinatorEpoch: number; metadata: TransactionMetadata }> {
    for (const s of this.partitions.values()) {
      if (s.status !== 'loaded') continue;
      for (const m of s.txns.values()) yield { coordinatorEpoch: s.coordinatorEpoch, metadata: m };
    }
  }

  /**
   * Writes `transit` for `transactionalId` and, once it is replicated, applies it to the cached metadata. Resolves with
   * the error the client gets; on a failure the pending state is cleared unless `retryOnError` says the caller will
   * retry the same transit.
   */
  async appendTransactionToLog(transactionalId: string, coordinatorEpoch: number, transit: TxnTransitMetadata, retryOnError: (error: number) => boolean = () => false): Promise<number> {
    const before = this.getTransactionState(transactionalId);
    if (!before.ok) return before.error;
    if (!before.metadata || before.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const now = this.scheduler.now();
    const batch = buildRecordBatchSync({
      records: [{ key: encodeTxnKey(transactionalId), value: encodeTxnValue(transitToLogValue(transit)), timestamp: BigInt(now) }],
    });
    let code: number;
    try {
      code = (await this.store.append(this.partitionFor(transactionalId), batch, this.config.requestTimeoutMs)).errorCode;
    } catch (err) {
      this.logger.warn({ err, transactionalId }, 'appending to the transaction log failed');
      code = ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    let error = mapAppendError(code);
    const after = this.getTransactionState(transactionalId);
    if (error === ErrorCode.NONE) {
      if (!after.ok) error = after.error;
      else if (!after.metadata || after.coordinatorEpoch !== coordinatorEpoch) error = ErrorCode.NOT_COORDINATOR;
      else {
        const from = after.metadata.state;
        after.metadata.completeTransitionTo(transit);
        this.logger.debug({ transactionalId, from, to: transit.txnState, producerId: String(transit.producerId), producerEpoch: transit.producerEpoch, coordinatorEpoch }, 'transaction state change');
      }
    } else if (after.ok && after.metadata && after.coordinatorEpoch === coordinatorEpoch && !retryOnError(error)) {
      after.metadata.pendingState = null;
    }
    if (error !== ErrorCode.NONE) this.logger.info({ transactionalId, state: transit.txnState, error }, 'transaction log append failed');
    return error;
  }

  /**
   * Loads the partition this broker now leads at `coordinatorEpoch` (its leader epoch): requests for its ids answer
   * COORDINATOR_LOAD_IN_PROGRESS until the whole log is read. Returns the transactions that were completing (their
   * markers must be resent), each with its CompleteCommit/CompleteAbort transit prepared.
   */
  async loadPartition(partition: number, coordinatorEpoch: number): Promise<PendingCompletion[]> {
    const current = this.partitions.get(partition);
    if (current && current.coordinatorEpoch >= coordinatorEpoch && current.status === 'loaded') return [];
    const marker: PartitionState = { status: 'loading', coordinatorEpoch };
    this.partitions.set(partition, marker);
    const t0 = this.scheduler.now();
    let txns: Map<string, TransactionMetadata>;
    try {
      txns = await this.replay(partition);
    } catch (err) {
      if (this.partitions.get(partition) === marker) this.partitions.delete(partition);
      throw err;
    }
    // Leadership may have moved on (unload, or a newer epoch's load) while the log was read.
    if (this.partitions.get(partition) !== marker) return [];
    this.partitions.set(partition, { status: 'loaded', coordinatorEpoch, txns });
    const pending: PendingCompletion[] = [];
    for (const m of txns.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
        pending.push({ coordinatorEpoch, commit: m.state === 'PrepareCommit', metadata: m, transit: m.prepareComplete(this.scheduler.now()) });
      }
    }
    this.logger.info({ partition, coordinatorEpoch, transactionalIds: txns.size, completing: pending.length, ms: this.scheduler.now() - t0 }, `loaded ${TRANSACTION_STATE_TOPIC}-${partition}`);
    return pending;
  }

  /** Forgets a partition this broker no longer leads: its ids answer NOT_COORDINATOR from now on. */
  unloadPartition(partition: number, coordinatorEpoch?: number): void {
    const p = this.partitions.get(partition);
    if (!p) return;
    if (coordinatorEpoch !== undefined && p.coordinatorEpoch > coordinatorEpoch) return;
    this.partitions.delete(partition);
    this.logger.info({ partition, coordinatorEpoch: p.coordinatorEpoch }, `unloaded ${TRANSACTION_STATE_TOPIC}-${partition}`);
  }

  private async replay(partition: number): Promise<Map<string, TransactionMetadata>> {
    const txns = new Map<string, TransactionMetadata>();
    let from = this.store.logStartOffset(partition) ?? 0n;
    let maxBytes = this.config.loadBufferSize;
    for (;;) {
      const { records, highWatermark: end } = await this.store.read(partition, from, maxBytes);
      if (from >= end) break;
      let progressed = false;
      for (const view of iterateBatches(records)) {
        const last = view.header.baseOffset + BigInt(view.header.lastOffsetDelta);
        if (last < from) continue;
        progressed = true;
        from = last + 1n;
        if (isControl(view.header.attributes)) continue;
        for (const rec of decodeBatchRecordsSync(records.subarray(view.position, view.position + view.size))) {
          if (rec.offset >= end || !rec.key) continue;
          const id = decodeTxnKey(rec.key);
          if (id === null) continue;
          if (rec.value === null) txns.delete(id);
          else txns.set(id, TransactionMetadata.fromLogValue(id, decodeTxnValue(rec.value)));
        }
      }
      if (!progressed) {
        if (maxBytes >= 64 * this.config.loadBufferSize) throw new Error(`cannot make progress loading ${TRANSACTION_STATE_TOPIC}-${partition} at offset ${from}`);
        maxBytes *= 2;
      }
    }
    return txns;
  }

  /** Ongoing transactions past their timeout (TransactionStateManager.timedOutTransactions). */
  timedOutTransactions(): TimedOutTransaction[] {
    const now = this.scheduler.now();
    const out: TimedOutTransaction[] = [];
    for (const { metadata: m } of this.allTransactions()) {
      if (m.state === 'Ongoing' && m.pendingState === null && m.txnStartTimestamp + m.txnTimeoutMs < now) {
        out.push({ transactionalId: m.transactionalId, producerId: m.producerId, producerEpoch: m.producerEpoch });
      }
    }
    return out;
  }

  /**
   * Writes tombstones for ids idle past transactional.id.expiration.ms with no transaction open, one batch per
   * partition, and drops them from the cache once the tombstones are replicated.
   */
  async removeExpiredTransactionalIds(): Promise<string[]> {
    const now = this.scheduler.now();
    const byPartition = new Map<number, Array<{ metadata: TransactionMetadata; coordinatorEpoch: number; transit: TxnTransitMetadata }>>();
    for (const [partition, s] of this.partitions) {
      if (s.status !== 'loaded') continue;
      for (const m of s.txns.values()) {
        const idle = m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort';
        if (!idle || m.pendingState !== null || m.txnLastUpdateTimestamp > now - this.config.transactionalIdExpirationMs) continue;
        let list = byPartition.get(partition);
        if (!list) byPartition.set(partition, (list = []));
        list.push({ metadata: m, coordinatorEpoch: s.coordinatorEpoch, transit: m.prepareDead() });
      }
    }
    const removed: string[] = [];
    await Promise.all([...byPartition].map(async ([partition, list]) => {
      const batch = buildRecordBatchSync({ records: list.map((e) => ({ key: encodeTxnKey(e.metadata.transactionalId), value: null, timestamp: BigInt(now) })) });
      let code: number;
      try {
        code = (await this.store.append(partition, batch, this.config.requestTimeoutMs)).errorCode;
      } catch {
        code = ErrorCode.UNKNOWN_SERVER_ERROR;
      }
      const s = this.partitions.get(partition);
      for (const e of list) {
        const cached = s?.status === 'loaded' && s.coordinatorEpoch === e.coordinatorEpoch ? s.txns.get(e.metadata.transactionalId) : undefined;
        if (cached !== e.metadata) continue;
        if (code === ErrorCode.NONE && e.metadata.pendingState === 'Dead' && s?.status === 'loaded') {
          s.txns.delete(e.metadata.transactionalId);
          removed.push(e.metadata.transactionalId);
        } else {
          e.metadata.pendingState = null;
        }
      }
      if (code !== ErrorCode.NONE) this.logger.warn({ partition, errorCode: code }, 'writing tombstones of expired transactional ids failed');
    }));
    if (removed.length > 0) this.logger.info({ count: removed.length }, 'removed expired transactional ids');
    return removed;
  }

  /** The loaded ids filtered as ListTransactions asks (Dead ones are being expired and never listed). */
  listTransactions(states: ReadonlySet<TransactionState> | null, producerIds: ReadonlySet<bigint>): TransactionMetadata[] {
    const out: TransactionMetadata[] = [];
    for (const { metadata: m } of this.allTransactions()) {
      if (m.state === 'Dead') continue;
      if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
      if (states !== null && !states.has(m.state)) continue;
      out.push(m);
    }
    return out;
  }

  shutdown(): void {
    this.partitions.clear();
  }
}
