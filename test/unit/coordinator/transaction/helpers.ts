// Test doubles for the transaction coordinator: an in-memory __transaction_state (the offsets store double), a
// marker sender that records requests and answers as the test says, and a started coordinator owning every partition.
import { ErrorCode } from '../../../../src/protocol/errors';
import { iterateBatches } from '../../../../src/protocol/record/batch-header';
import { decodeBatchRecordsSync } from '../../../../src/protocol/record/records';
import { moduleLogger } from '../../../../src/util/logger';
import { parseTpKey } from '../../../../src/util/types';
import { TransactionStateManager, type TransactionStateConfig } from '../../../../src/coordinator/transaction/TransactionStateManager';
import { TransactionCoordinator } from '../../../../src/coordinator/transaction/TransactionCoordinator';
import { TransactionMarkerChannelManager, type PartitionLeaderLookup, type TxnMarkerSender, type WritableTxnMarker, type WritableTxnMarkerResult } from '../../../../src/coordinator/transaction/TransactionMarkerChannelManager';
import { decodeTxnKey, decodeTxnValue, type TransactionLogValue } from '../../../../src/coordinator/transaction/TransactionLog';
import { FakeScheduler, InMemoryOffsetsStore } from '../helpers';

export { FakeScheduler, InMemoryOffsetsStore };

export const NUM_PARTITIONS = 5;

export const TEST_TXN_CONFIG: TransactionStateConfig = {
  numPartitions: NUM_PARTITIONS,
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  requestTimeoutMs: 30_000,
  loadBufferSize: 1024,
};

/** Lets every pending promise chain run (a macrotask turn drains all microtasks). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface SentRequest {
  brokerId: number;
  markers: WritableTxnMarker[];
}

/**
 * Records each WriteTxnMarkers; `answer` decides each partition's error (default NONE), `fail` makes a broker
 * unreachable. Requests are answered at once unless `hold` is set, then on release().
 */
export class FakeMarkerSender implements TxnMarkerSender {
  readonly sent: SentRequest[] = [];
  answer: (brokerId: number, producerId: bigint, topic: string, partition: number) => number = () => ErrorCode.NONE;
  unreachable = new Set<number>();

  async send(brokerId: number, markers: WritableTxnMarker[]): Promise<WritableTxnMarkerResult[]> {
    this.sent.push({ brokerId, markers });
    if (this.unreachable.has(brokerId)) throw new Error(`broker ${brokerId} unreachable`);
    return markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: this.answer(brokerId, m.producerId, t.name, p) })) })),
    }));
  }

  /** Every (broker, producer id, epoch, commit, coordinator epoch, tp) marker sent so far. */
  flat(): Array<{ brokerId: number; producerId: bigint; producerEpoch: number; commit: boolean; coordinatorEpoch: number; tp: string }> {
    return this.sent.flatMap((r) => r.markers.flatMap((m) => m.topics.flatMap((t) => t.partitionIndexes.map((p) => ({
      brokerId: r.brokerId, producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, tp: `${t.name}-${p}`,
    })))));
  }
}

/** Leaders by tpKey; a missing topic is 'gone', a null leader is unknown. Default: broker 2 leads everything. */
export class FakeLeaders implements PartitionLeaderLookup {
  readonly leaders = new Map<string, number | null>();
  readonly goneTopics = new Set<string>();
  defaultLeader: number | null = 2;
  leaderOf(topic: string, partition: number): number | null | 'gone' {
    if (this.goneTopics.has(topic)) return 'gone';
    const k = `${topic}-${partition}`;
    return this.leaders.has(k) ? (this.leaders.get(k) as number | null) : this.defaultLeader;
  }
}

export interface TxnHarness {
  tc: TransactionCoordinator;
  sm: TransactionStateManager;
  markers: TransactionMarkerChannelManager;
  store: InMemoryOffsetsStore;
  scheduler: FakeScheduler;
  sender: FakeMarkerSender;
  leaders: FakeLeaders;
  nextProducerId: bigint;
}

export interface HarnessOptions {
  config?: Partial<TransactionStateConfig>;
  store?: InMemoryOffsetsStore;
  scheduler?: FakeScheduler;
  /** Partitions loaded at start (default all) and their coordinator epoch. */
  owned?: number[];
  coordinatorEpoch?: number;
  firstProducerId?: bigint;
  createTransactionTopic?: () => Promise<void>;
}

export async function startTxnCoordinator(opts: HarnessOptions = {}): Promise<TxnHarness> {
  const store = opts.store ?? new InMemoryOffsetsStore();
  const scheduler = opts.scheduler ?? new FakeScheduler();
  const logger = moduleLogger('txn-coordinator-test', {});
  const sm = new TransactionStateManager({ ...TEST_TXN_CONFIG, ...opts.config }, store, scheduler, logger);
  const sender = new FakeMarkerSender();
  const leaders = new FakeLeaders();
  const markers = new TransactionMarkerChannelManager({ stateManager: sm, sender, leaders, scheduler, logger, retryBackoffMs: 100 });
  const h: TxnHarness = { tc: undefined as unknown as TransactionCoordinator, sm, markers, store, scheduler, sender, leaders, nextProducerId: opts.firstProducerId ?? 1000n };
  h.tc = new TransactionCoordinator({
    stateManager: sm,
    markers,
    generateProducerId: async () => h.nextProducerId++,
    createTransactionTopic: opts.createTransactionTopic ?? (async () => undefined),
    scheduler,
    logger,
    abortTimedOutTransactionsIntervalMs: 10_000,
    removeExpiredTransactionalIdsIntervalMs: 3_600_000,
  });
  h.tc.startup();
  for (const p of opts.owned ?? Array.from({ length: NUM_PARTITIONS }, (_, i) => i)) await h.tc.onElection(p, opts.coordinatorEpoch ?? 1);
  return h;
}

/** Every record of a __transaction_state partition in log order: the id and its value (null for a tombstone). */
export function logRecords(store: InMemoryOffsetsStore, partition: number): Array<{ id: string; value: TransactionLogValue | null }> {
  const out: Array<{ id: string; value: TransactionLogValue | null }> = [];
  for (const b of store.logs.get(partition) ?? []) {
    for (const view of iterateBatches(b)) {
      for (const r of decodeBatchRecordsSync(b.subarray(view.position, view.position + view.size))) {
        out.push({ id: decodeTxnKey(r.key as Buffer) as string, value: r.value === null ? null : decodeTxnValue(r.value) });
      }
    }
  }
  return out;
}

/** The states written for `id`, in order. */
export function statesWritten(h: TxnHarness, id: string): string[] {
  return logRecords(h.store, h.sm.partitionFor(id)).filter((r) => r.id === id).map((r) => r.value?.state ?? 'tombstone');
}

export const tp = (k: string): { topic: string; partition: number } => parseTpKey(k);
