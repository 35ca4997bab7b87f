// The transaction coordinator end to end over an in-memory __transaction_state and a recording marker sender:
// InitProducerId → AddPartitionsToTxn → EndTxn → markers → CompleteCommit/CompleteAbort, the error table of
// KAFKA-FORMATS §2.6, fencing (InitProducerId during a transaction, epoch exhaustion, KIP-360), timeouts, expiry,
// loading on leadership (with resent markers) and unloading, DescribeTransactions and ListTransactions.
import { ErrorCode } from '../../../../src/protocol/errors';
import { OFFSETS_TOPIC } from '../../../../src/coordinator/javaHash';
import { rewriteProducerFenced, TRANSACTIONAL_ID_NOT_FOUND } from '../../../../src/coordinator/transaction/TransactionCoordinator';
import { TransactionMetadata } from '../../../../src/coordinator/transaction/TransactionMetadata';
import { encodeTxnKey } from '../../../../src/coordinator/transaction/TransactionLog';
import { buildRecordBatchSync } from '../../../../src/protocol/record/records';
import { logRecords, settle, startTxnCoordinator, statesWritten, InMemoryOffsetsStore, FakeScheduler, NUM_PARTITIONS, type TxnHarness } from './helpers';

const TIMEOUT = 60_000;

/** A transactional id with a producer id and epoch from InitProducerId. */
async function init(h: TxnHarness, id: string, timeoutMs = TIMEOUT): Promise<{ producerId: bigint; producerEpoch: number }> {
  const r = await h.tc.handleInitProducerId(id, timeoutMs, null);
  expect(r.errorCode).toBe(ErrorCode.NONE);
  return r;
}

/** The cached metadata of `id` (it must exist). */
function meta(h: TxnHarness, id: string): TransactionMetadata {
  const l = h.sm.getTransactionState(id);
  if (!l.ok || !l.metadata) throw new Error(`no metadata for ${id}`);
  return l.metadata;
}

describe('InitProducerId with a transactional id', () => {
  test('a new id gets a producer id at epoch 0 written as Empty; each later call bumps the epoch', async () => {
    const h = await startTxnCoordinator();
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, null)).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, null)).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 });
    const recs = logRecords(h.store, h.sm.partitionFor('tx'));
    expect(recs.map((r) => [r.id, r.value?.state, r.value?.producerEpoch, r.value?.txnStartTimestamp])).toEqual([['tx', 'Empty', 0, -1n], ['tx', 'Empty', 1, -1n]]);
  });

  test('a null transactional id gets a fresh producer id at epoch 0 without touching the log', async () => {
    const h = await startTxnCoordinator();
    expect(await h.tc.handleInitProducerId(null, TIMEOUT, null)).toEqual({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
    expect(h.store.appends).toBe(0);
  });

  test('empty id → INVALID_REQUEST; timeout above transaction.max.timeout.ms → INVALID_TRANSACTION_TIMEOUT', async () => {
    const h = await startTxnCoordinator({ config: { transactionMaxTimeoutMs: 1000 } });
    expect((await h.tc.handleInitProducerId('', 100, null)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await h.tc.handleInitProducerId('tx', 1001, null)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await h.tc.handleInitProducerId('tx', 1000, null)).errorCode).toBe(ErrorCode.NONE);
  });

  test('NOT_COORDINATOR for an id of a partition this broker does not own, COORDINATOR_LOAD_IN_PROGRESS while loading', async () => {
    const h = await startTxnCoordinator({ owned: [] });
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const p = h.sm.partitionFor('tx');
    // The store's read is held until released, so the partition stays loading.
    const read = h.store.read.bind(h.store);
    let release: () => void = () => undefined;
    h.store.read = async (...args) => {
      await new Promise<void>((r) => (release = r));
      return read(...args);
    };
    const loading = h.tc.onElection(p, 3);
    await settle();
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.tc.handleListTransactions([], []).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    await loading;
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.NONE);
  });

  test('during an open transaction: the transaction is aborted under a bumped epoch, CONCURRENT_TRANSACTIONS, and the retry bumps again', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await init(h, 'tx');
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0', 't-1'])).toBe(ErrorCode.NONE);
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    // PrepareAbort is written with epoch 1; the abort markers carry it.
    const written = logRecords(h.store, h.sm.partitionFor('tx')).map((r) => [r.value?.state, r.value?.producerEpoch]);
    expect(written.slice(0, 3)).toEqual([['Empty', 0], ['Ongoing', 0], ['PrepareAbort', 1]]);
    await settle();
    expect(h.sender.flat().map((m) => [m.tp, m.commit, m.producerEpoch])).toEqual([['t-0', false, 1], ['t-1', false, 1]]);
    expect(meta(h, 'tx').state).toBe('CompleteAbort');
    // The producer retries and gets epoch 2; the old producer (epoch 0) is fenced.
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, null)).toEqual({ errorCode: ErrorCode.NONE, producerId, producerEpoch: 2 });
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0'])).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  test('CONCURRENT_TRANSACTIONS while markers are being written (PrepareCommit)', async () => {
    const h = await startTxnCoordinator();
    h.leaders.defaultLeader = null; // no leader: markers wait
    const { producerId } = await init(h, 'tx');
    await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.NONE);
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });

  test('an exhausted epoch rotates to a new producer id at epoch 0', async () => {
    const h = await startTxnCoordinator();
    await init(h, 'tx');
    const m = meta(h, 'tx');
    m.producerEpoch = 32766; // Short.MAX - 1
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, null)).toEqual({ errorCode: ErrorCode.NONE, producerId: 1001n, producerEpoch: 0 });
    expect(m.lastProducerId).toBe(1000n);
  });

  test('KIP-360 (v3+): the current producer id and epoch bump; the previous epoch is a retried bump; others are fenced', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await init(h, 'tx'); // epoch 0
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, { producerId, producerEpoch: 0 })).toEqual({ errorCode: ErrorCode.NONE, producerId, producerEpoch: 1 });
    // The answer was lost: the producer asks again with its old epoch and gets the same epoch 1 again.
    expect(await h.tc.handleInitProducerId('tx', TIMEOUT, { producerId, producerEpoch: 0 })).toEqual({ errorCode: ErrorCode.NONE, producerId, producerEpoch: 1 });
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, { producerId, producerEpoch: 7 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, { producerId: 999n, producerEpoch: 1 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });
});

describe('AddPartitionsToTxn / AddOffsetsToTxn / EndTxn', () => {
  test('commit: Ongoing, PrepareCommit answered once written, markers to the leaders, then CompleteCommit', async () => {
    const h = await startTxnCoordinator();
    h.leaders.leaders.set('t-1', 3);
    const { producerId } = await init(h, 'tx');
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0'])).toBe(ErrorCode.NONE);
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-1', `${OFFSETS_TOPIC}-4`])).toBe(ErrorCode.NONE);
    // Already a subset: answered without a write.
    const appends = h.store.appends;
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0'])).toBe(ErrorCode.NONE);
    expect(h.store.appends).toBe(appends);
    expect(meta(h, 'tx').state).toBe('Ongoing');

    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.NONE);
    await settle();
    expect(statesWritten(h, 'tx')).toEqual(['Empty', 'Ongoing', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    const prepare = logRecords(h.store, h.sm.partitionFor('tx'))[3]!.value!;
    expect(prepare.topicPartitions).toEqual([{ topic: OFFSETS_TOPIC, partitions: [4] }, { topic: 't', partitions: [0, 1] }]);
    const sent = h.sender.flat().map((m) => [m.brokerId, m.tp, m.commit, m.producerId, m.producerEpoch, m.coordinatorEpoch]).sort();
    expect(sent).toEqual([[2, `${OFFSETS_TOPIC}-4`, true, producerId, 0, 1], [2, 't-0', true, producerId, 0, 1], [3, 't-1', true, producerId, 0, 1]]);
    // One request per broker: broker 2's two partitions went together.
    expect(h.sender.sent.map((r) => r.brokerId).sort()).toEqual([2, 3]);
    expect(meta(h, 'tx').state).toBe('CompleteCommit');
    expect(meta(h, 'tx').topicPartitions.size).toBe(0);
    // A retried EndTxn of the same direction succeeds; the other direction is INVALID_TXN_STATE.
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.NONE);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, false)).toBe(ErrorCode.INVALID_TXN_STATE);
    // The next transaction starts from CompleteCommit.
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-2'])).toBe(ErrorCode.NONE);
    expect([...meta(h, 'tx').topicPartitions]).toEqual(['t-2']);
  });

  test('the error table: unknown id / other producer id → INVALID_PRODUCER_ID_MAPPING, other epoch → PRODUCER_FENCED, Empty → INVALID_TXN_STATE', async () => {
    const h = await startTxnCoordinator();
    expect(await h.tc.handleAddPartitionsToTransaction('nope', 1n, 0, ['t-0'])).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await h.tc.handleEndTransaction('nope', 1n, 0, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const { producerId } = await init(h, 'tx');
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId + 1n, 0, ['t-0'])).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 1, ['t-0'])).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await h.tc.handleAddPartitionsToTransaction('', producerId, 0, ['t-0'])).toBe(ErrorCode.INVALID_REQUEST);
    expect(await h.tc.handleEndTransaction('', producerId, 0, true)).toBe(ErrorCode.INVALID_REQUEST);
  });

  // Kafka prepares CompleteAbort/CompleteCommit as soon as PrepareX is written, so the pending transition answers
  // CONCURRENT_TRANSACTIONS before the state's own same/opposite direction check is reached.
  test('while PrepareAbort with markers outstanding: EndTxn either way and AddPartitionsToTxn answer CONCURRENT_TRANSACTIONS', async () => {
    const h = await startTxnCoordinator();
    h.leaders.defaultLeader = null;
    const { producerId } = await init(h, 'tx');
    await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, false)).toBe(ErrorCode.NONE);
    expect(meta(h, 'tx').state).toBe('PrepareAbort');
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, false)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-1'])).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });

  test('a pending write answers CONCURRENT_TRANSACTIONS to the next request; a failed write clears it and maps the error', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await init(h, 'tx');
    h.store.hold = true;
    const adding = h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    await settle();
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-1'])).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    h.store.release();
    expect(await adding).toBe(ErrorCode.NONE);
    // NOT_ENOUGH_REPLICAS → COORDINATOR_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER → NOT_COORDINATOR, and the state is unchanged.
    h.store.nextError = ErrorCode.NOT_ENOUGH_REPLICAS;
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    h.store.nextError = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-9'])).toBe(ErrorCode.NOT_COORDINATOR);
    expect(meta(h, 'tx')).toMatchObject({ state: 'Ongoing', pendingState: null });
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.NONE);
  });

  test('PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH for clients that predate it', () => {
    expect(rewriteProducerFenced(ErrorCode.PRODUCER_FENCED, false)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(rewriteProducerFenced(ErrorCode.PRODUCER_FENCED, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(rewriteProducerFenced(ErrorCode.CONCURRENT_TRANSACTIONS, false)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });
});

describe('timeouts and expiry', () => {
  test('an Ongoing transaction past its timeout is aborted with an epoch bump at the next check, and so are later ones', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await init(h, 'tx', 5_000);
    await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    await h.scheduler.advance(4_000);
    await settle();
    expect(meta(h, 'tx').state).toBe('Ongoing');
    await h.scheduler.advance(10_000); // the 10 s check after the 5 s timeout
    await settle();
    expect(statesWritten(h, 'tx')).toEqual(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort']);
    expect(meta(h, 'tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(h.sender.flat().map((m) => [m.tp, m.commit, m.producerEpoch])).toEqual([['t-0', false, 1]]);
    // The timed-out producer is fenced.
    expect(await h.tc.handleEndTransaction('tx', producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED);
    // The check keeps running: a later transaction that times out is aborted too.
    expect(await h.tc.handleAddPartitionsToTransaction('tx', producerId, 1, ['t-5'])).toBe(ErrorCode.NONE);
    await h.scheduler.advance(30_000);
    await settle();
    expect(meta(h, 'tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 2 });
    expect(h.scheduler.pending()).toBe(2); // the next abort check and the next expiry run, nothing piling up
  });

  test('an id idle past transactional.id.expiration.ms is tombstoned and forgotten; one with an open transaction is kept', async () => {
    const h = await startTxnCoordinator({ config: { transactionalIdExpirationMs: 60_000, transactionMaxTimeoutMs: 10_000_000 } });
    await init(h, 'idle');
    const busy = await init(h, 'busy', 5_000_000);
    await h.tc.handleAddPartitionsToTransaction('busy', busy.producerId, 0, ['t-0']);
    await h.scheduler.advance(3_600_000);
    await settle();
    expect(statesWritten(h, 'idle')).toEqual(['Empty', 'tombstone']);
    const l = h.sm.getTransactionState('idle');
    expect(l.ok && l.metadata).toBeNull();
    expect(meta(h, 'busy').state).toBe('Ongoing');
    expect(h.tc.handleDescribeTransactions('idle').errorCode).toBe(TRANSACTIONAL_ID_NOT_FOUND);
  });
});

describe('loading and unloading __transaction_state partitions', () => {
  test('the last value per id wins, tombstones delete, and a loaded PrepareCommit has its markers resent under the new epoch', async () => {
    const store = new InMemoryOffsetsStore();
    const scheduler = new FakeScheduler();
    const first = await startTxnCoordinator({ store, scheduler });
    first.leaders.defaultLeader = null; // the first coordinator never gets its markers out
    const a = await init(first, 'a');
    await first.tc.handleAddPartitionsToTransaction('a', a.producerId, 0, ['t-0', 't-3']);
    expect(await first.tc.handleEndTransaction('a', a.producerId, 0, true)).toBe(ErrorCode.NONE);
    const b = await init(first, 'b');
    await first.tc.handleAddPartitionsToTransaction('b', b.producerId, 0, ['t-1']);
    // 'c' is written, then tombstoned (as expiry does).
    await init(first, 'c');
    await store.append(first.sm.partitionFor('c'), buildRecordBatchSync({ records: [{ key: encodeTxnKey('c'), value: null }] }));
    first.tc.shutdown();

    const second = await startTxnCoordinator({ store, scheduler, coordinatorEpoch: 2 });
    await settle();
    expect(second.sender.flat().map((m) => [m.tp, m.commit, m.coordinatorEpoch]).sort()).toEqual([['t-0', true, 2], ['t-3', true, 2]]);
    expect(meta(second, 'a').state).toBe('CompleteCommit');
    expect(meta(second, 'b')).toMatchObject({ state: 'Ongoing', producerId: b.producerId, producerEpoch: 0, txnTimeoutMs: TIMEOUT });
    expect([...meta(second, 'b').topicPartitions]).toEqual(['t-1']);
    const c = second.sm.getTransactionState('c');
    expect(c.ok && c.metadata).toBeNull();
    // The loaded Ongoing transaction carries on.
    expect(await second.tc.handleEndTransaction('b', b.producerId, 0, false)).toBe(ErrorCode.NONE);
  });

  test('an election at the epoch already loaded changes nothing: markers in flight go on', async () => {
    const h = await startTxnCoordinator();
    h.leaders.defaultLeader = null;
    const { producerId } = await init(h, 'tx');
    await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    await h.tc.handleEndTransaction('tx', producerId, 0, true);
    const appends = h.store.appends;
    await h.tc.onElection(h.sm.partitionFor('tx'), 1);
    expect(h.markers.pendingTransactionalIds).toEqual(['tx']);
    expect(h.store.appends).toBe(appends);
  });

  test('after unloading, requests answer NOT_COORDINATOR and markers in flight stop', async () => {
    const h = await startTxnCoordinator();
    h.leaders.defaultLeader = null;
    const { producerId } = await init(h, 'tx');
    await h.tc.handleAddPartitionsToTransaction('tx', producerId, 0, ['t-0']);
    await h.tc.handleEndTransaction('tx', producerId, 0, true);
    expect(h.markers.pendingTransactionalIds).toEqual(['tx']);
    h.tc.onResignation(h.sm.partitionFor('tx'), 1);
    expect(h.markers.pendingTransactionalIds).toEqual([]);
    expect((await h.tc.handleInitProducerId('tx', TIMEOUT, null)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    h.leaders.defaultLeader = 2;
    h.markers.onMetadataChange();
    await h.scheduler.advance(1_000);
    expect(h.sender.sent).toEqual([]);
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  test('describe gives the loaded state; list filters by state and producer id and names unknown states', async () => {
    const h = await startTxnCoordinator();
    const a = await init(h, 'a');
    const b = await init(h, 'b');
    await h.tc.handleAddPartitionsToTransaction('b', b.producerId, 0, ['t-1', 'u-0']);
    const now = h.scheduler.now();
    expect(h.tc.handleDescribeTransactions('b')).toEqual({
      errorCode: ErrorCode.NONE, transactionalId: 'b', transactionState: 'Ongoing', transactionTimeoutMs: TIMEOUT,
      transactionStartTimeMs: BigInt(now), producerId: b.producerId, producerEpoch: 0,
      topics: [{ topic: 't', partitions: [1] }, { topic: 'u', partitions: [0] }],
    });
    expect(h.tc.handleDescribeTransactions('a')).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'Empty', transactionStartTimeMs: -1n, topics: [] });
    expect(h.tc.handleDescribeTransactions('zzz').errorCode).toBe(TRANSACTIONAL_ID_NOT_FOUND);
    expect(h.tc.handleDescribeTransactions('').errorCode).toBe(ErrorCode.INVALID_REQUEST);

    const ids = (r: ReturnType<typeof h.tc.handleListTransactions>): string[] => r.transactionStates.map((s) => s.transactionalId).sort();
    expect(ids(h.tc.handleListTransactions([], []))).toEqual(['a', 'b']);
    expect(h.tc.handleListTransactions(['Ongoing'], []).transactionStates).toEqual([{ transactionalId: 'b', producerId: b.producerId, transactionState: 'Ongoing' }]);
    expect(ids(h.tc.handleListTransactions([], [a.producerId]))).toEqual(['a']);
    const unknown = h.tc.handleListTransactions(['Bogus'], []);
    expect(unknown).toEqual({ errorCode: ErrorCode.NONE, unknownStateFilters: ['Bogus'], transactionStates: [] });
    expect(ids(h.tc.handleListTransactions(['Empty', 'Bogus'], []))).toEqual(['a']);
  });

  test('ids of partitions another broker owns answer NOT_COORDINATOR', async () => {
    const h = await startTxnCoordinator({ owned: [] });
    expect(h.tc.handleDescribeTransactions('x').errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.tc.handleListTransactions([], [])).toEqual({ errorCode: ErrorCode.NONE, unknownStateFilters: [], transactionStates: [] });
    expect(NUM_PARTITIONS).toBe(5);
  });
});
