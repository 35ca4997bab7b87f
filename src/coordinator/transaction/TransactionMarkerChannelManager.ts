// Sends the commit/abort markers of completing transactions to the leaders of their partitions (Kafka 2.8's
// TransactionMarkerChannelManager with its completion handler): markers are queued per leader broker and sent in one
// WriteTxnMarkers per broker at a time; a partition whose leader is unknown, moved, or briefly unable to write is
// retried after a metadata change or a short backoff; a partition whose topic is gone is dropped. When every partition
// of a transaction has its marker, CompleteCommit/CompleteAbort is written to __transaction_state. Sending stops for a
// transaction whose __transaction_state partition this broker no longer leads (or leads at another epoch).
import { ErrorCode, errorName } from '../../protocol/errors';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/27-write-txn-markers';
import type { Logger } from '../../util/logger';
import { parseTpKey, tpKey } from '../../util/types';
import type { Scheduler, TimerHandle } from '../Scheduler';
import { groupByTopic } from './TransactionLog';
import type { TransactionMetadata, TxnTransitMetadata } from './TransactionMetadata';
import type { TransactionStateManager } from './TransactionStateManager';

export type WritableTxnMarker = WriteTxnMarkersRequest['markers'][number];
export type WritableTxnMarkerResult = WriteTxnMarkersResponse['markers'][number];

/** Delivers one WriteTxnMarkers request to a broker; rejects when the broker cannot be reached or does not answer. */
export interface TxnMarkerSender {
  send(brokerId: number, markers: WritableTxnMarker[]): Promise<WritableTxnMarkerResult[]>;
}

/** Where a partition's marker goes: its leader's id, null when there is no leader now, 'gone' when it does not exist. */
export interface PartitionLeaderLookup {
  leaderOf(topic: string, partition: number): number | null | 'gone';
}

export interface TransactionMarkerChannelOptions {
  stateManager: TransactionStateManager;
  sender: TxnMarkerSender;
  leaders: PartitionLeaderLookup;
  scheduler: Scheduler;
  logger: Logger;
  /** Delay before a partition is retried (Kafka retries on its next send-thread poll, every 100 ms). */
  retryBackoffMs?: number;
}

interface PendingTxn {
  transactionalId: string;
  txnTopicPartition: number;
  coordinatorEpoch: number;
  commit: boolean;
  metadata: TransactionMetadata;
  /** The CompleteCommit/CompleteAbort transit written once every marker is in. */
  transit: TxnTransitMetadata;
}

export class TransactionMarkerChannelManager {
  private readonly pending = new Map<string, PendingTxn>();
  /** broker id -> transactional id -> partitions (tpKey) whose markers go to that broker next. */
  private readonly brokerQueues = new Map<number, Map<string, Set<string>>>();
  private readonly inFlight = new Set<number>();
  /** Partitions to route again after a metadata change or the backoff (no leader, NOT_LEADER, send failure...). */
  private readonly retry = new Map<string, Set<string>>();
  private retryTimer: TimerHandle | null = null;
  private readonly retryBackoffMs: number;
  private active = true;
  private readonly lastSendWarning = new Map<number, number>();

  constructor(private readonly opts: TransactionMarkerChannelOptions) {
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
  }

  /** Transactional ids whose markers are still being written (for tests and logs). */
  get pendingTransactionalIds(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Starts writing the markers of a transaction that reached PrepareCommit/PrepareAbort (its `transit` is the
   * prepared CompleteCommit/CompleteAbort); the partitions come from the metadata, which loses each one as its
   * marker is written.
   */
  addTxnMarkersToSend(coordinatorEpoch: number, commit: boolean, metadata: TransactionMetadata, transit: TxnTransitMetadata): void {
    const id = metadata.transactionalId;
    this.pending.set(id, {
      transactionalId: id,
      txnTopicPartition: this.opts.stateManager.partitionFor(id),
      coordinatorEpoch,
      commit,
      metadata,
      transit,
    });
    this.route(id, [...metadata.topicPartitions]);
    this.maybeComplete(id);
    this.drain();
  }

  /** Metadata changed: partitions waiting for a leader are routed again at once. */
  onMetadataChange(): void {
    if (this.retry.size > 0) this.retryNow();
  }

  /** Drops every transaction of a __transaction_state partition (leadership lost, or about to be reloaded). */
  removeMarkersForTxnTopicPartition(txnTopicPartition: number): void {
    for (const p of [...this.pending.values()]) if (p.txnTopicPartition === txnTopicPartition) this.removeMarkersForTxnId(p.transactionalId);
  }

  removeMarkersForTxnId(transactionalId: string): void {
    this.pending.delete(transactionalId);
    this.retry.delete(transactionalId);
    for (const q of this.brokerQueues.values()) q.delete(transactionalId);
  }

  shutdown(): void {
    this.active = false;
    this.retryTimer?.cancel();
    this.retryTimer = null;
    this.pending.clear();
    this.brokerQueues.clear();
    this.retry.clear();
  }

  /** Puts each partition in its leader's queue, in the retry set without a leader, or drops it when it is gone. */
  private route(transactionalId: string, tps: Iterable<string>): void {
    const p = this.pending.get(transactionalId);
    if (!p) return;
    for (const tp of tps) {
      const { topic, partition } = parseTpKey(tp);
      const leader = this.opts.leaders.leaderOf(topic, partition);
      if (leader === 'gone') {
        this.opts.logger.info({ transactionalId, topicPartition: tp }, 'partition of the transaction no longer exists; no marker is written to it');
        p.metadata.removePartition(tp);
      } else if (leader === null) {
        this.addTo(this.retry, transactionalId, tp);
      } else {
        let q = this.brokerQueues.get(leader);
        if (!q) this.brokerQueues.set(leader, (q = new Map()));
        this.addTo(q, transactionalId, tp);
      }
    }
    if (this.retry.size > 0) this.scheduleRetry();
  }

  private addTo(m: Map<string, Set<string>>, id: string, tp: string): void {
    let s = m.get(id);
    if (!s) m.set(id, (s = new Set()));
    s.add(tp);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.active) return;
    this.retryTimer = this.opts.scheduler.schedule(this.retryBackoffMs, () => {
      this.retryTimer = null;
      this.retryNow();
    });
  }

  private retryNow(): void {
    const entries = [...this.retry];
    this.retry.clear();
    for (const [id, tps] of entries) {
      this.route(id, tps);
      this.maybeComplete(id);
    }
    this.drain();
  }

  /** True while the transaction's __transaction_state partition is still ours at the epoch the markers carry. */
  private stillOwned(p: PendingTxn): boolean {
    const s = this.opts.stateManager.getTransactionState(p.transactionalId);
    return s.ok && s.coordinatorEpoch === p.coordinatorEpoch && s.metadata === p.metadata;
  }

  /** Sends one request to every broker that has queued markers and none in flight. */
  private drain(): void {
    if (!this.active) return;
    for (const [brokerId, queue] of this.brokerQueues) {
      if (queue.size === 0 || this.inFlight.has(brokerId)) continue;
      const batch: Array<{ txn: PendingTxn; tps: Set<string> }> = [];
      for (const [id, tps] of queue) {
        const txn = this.pending.get(id);
        if (!txn) continue;
        if (!this.stillOwned(txn)) {
          this.opts.logger.info({ transactionalId: id }, 'no longer the coordinator of the transaction at its epoch; its markers are not sent');
          this.removeMarkersForTxnId(id);
          continue;
        }
        batch.push({ txn, tps });
      }
      queue.clear();
      if (batch.length === 0) continue;
      this.inFlight.add(brokerId);
      void this.sendToBroker(brokerId, batch).finally(() => {
        this.inFlight.delete(brokerId);
        this.drain();
      });
    }
  }

  private async sendToBroker(brokerId: number, batch: Array<{ txn: PendingTxn; tps: Set<string> }>): Promise<void> {
    const markers: WritableTxnMarker[] = batch.map(({ txn, tps }) => ({
      producerId: txn.transit.producerId,
      producerEpoch: txn.transit.producerEpoch,
      transactionResult: txn.commit,
      coordinatorEpoch: txn.coordinatorEpoch,
      topics: groupByTopic([...tps].map(parseTpKey)).map((t) => ({ name: t.topic, partitionIndexes: t.partitions })),
    }));
    let results: WritableTxnMarkerResult[];
    try {
      results = await this.opts.sender.send(brokerId, markers);
    } catch (err) {
      // Retries come every backoff while a broker is down: say so once per broker every 10 s, the rest at debug.
      const now = this.opts.scheduler.now();
      const quiet = now - (this.lastSendWarning.get(brokerId) ?? -Infinity) < 10_000;
      if (!quiet) this.lastSendWarning.set(brokerId, now);
      this.opts.logger[quiet ? 'debug' : 'warn']({ brokerId, err: (err as Error).message }, 'sending transaction markers failed; retrying');
      for (const { txn, tps } of batch) if (this.pending.get(txn.transactionalId) === txn) for (const tp of tps) this.addTo(this.retry, txn.transactionalId, tp);
      this.scheduleRetry();
      return;
    }
    if (!this.active) return;
    const byProducer = new Map(results.map((r) => [r.producerId, r]));
    for (const { txn, tps } of batch) this.handleResult(txn, tps, byProducer.get(txn.transit.producerId));
  }

  /** Kafka's TransactionMarkerRequestCompletionHandler for one transaction's part of a response. */
  private handleResult(txn: PendingTxn, sent: Set<string>, result: WritableTxnMarkerResult | undefined): void {
    const id = txn.transactionalId;
    if (this.pending.get(id) !== txn) return;
    if (!this.stillOwned(txn)) {
      this.opts.logger.info({ transactionalId: id }, 'coordinator changed while markers were in flight; stop sending them');
      this.removeMarkersForTxnId(id);
      return;
    }
    const errors = new Map<string, number>();
    for (const t of result?.topics ?? []) for (const p of t.partitions) errors.set(tpKey(t.name, p.partitionIndex), p.errorCode);
    const retry: string[] = [];
    for (const tp of sent) {
      const code = errors.get(tp);
      switch (code) {
        case ErrorCode.NONE:
        case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
        case ErrorCode.UNSUPPORTED_VERSION:
          txn.metadata.removePartition(tp);
          break;
        case ErrorCode.INVALID_PRODUCER_EPOCH:
        case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
          // The producer or the coordinator moved on: this transaction's completion belongs to someone else now.
          this.opts.logger.info({ transactionalId: id, topicPartition: tp, error: errorName(code) }, 'marker permanently refused; stop sending the markers of this transaction');
          this.removeMarkersForTxnId(id);
          return;
        case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
        case ErrorCode.NOT_LEADER_OR_FOLLOWER:
        case ErrorCode.NOT_ENOUGH_REPLICAS:
        case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
        case ErrorCode.REQUEST_TIMED_OUT:
        case ErrorCode.KAFKA_STORAGE_ERROR:
        case ErrorCode.LEADER_NOT_AVAILABLE:
        case undefined: // not answered for: ask again
          retry.push(tp);
          break;
        default:
          // Kafka treats anything else as fatal; a broker must not stop for it, so the marker is retried and logged.
          this.opts.logger.error({ transactionalId: id, topicPartition: tp, error: errorName(code) }, 'unexpected error writing a transaction marker; retrying');
          retry.push(tp);
      }
    }
    for (const tp of retry) this.addTo(this.retry, id, tp);
    if (retry.length > 0) this.scheduleRetry();
    this.maybeComplete(id);
  }

  /** Once no partition is left, writes CompleteCommit/CompleteAbort (retried while the log is unavailable). */
  private maybeComplete(transactionalId: string): void {
    const txn = this.pending.get(transactionalId);
    if (!txn || txn.metadata.topicPartitions.size > 0) return;
    this.removeMarkersForTxnId(transactionalId);
    void this.writeCompletion(txn);
  }

  private async writeCompletion(txn: PendingTxn): Promise<void> {
    const sm = this.opts.stateManager;
    for (;;) {
      const error = await sm.appendTransactionToLog(txn.transactionalId, txn.coordinatorEpoch, txn.transit, (e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE);
      if (error === ErrorCode.NONE) {
        this.opts.logger.debug({ transactionalId: txn.transactionalId, state: txn.transit.txnState }, 'transaction completed');
        return;
      }
      if (error !== ErrorCode.COORDINATOR_NOT_AVAILABLE || !this.active) {
        this.opts.logger.info({ transactionalId: txn.transactionalId, error: errorName(error) }, `not writing ${txn.transit.txnState}: the coordinator moved`);
        return;
      }
      await new Promise<void>((resolve) => this.opts.scheduler.schedule(this.retryBackoffMs, resolve));
    }
  }
}
