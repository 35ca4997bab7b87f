// The replica layer's part of transactions (KIP-98) over a real ReplicaManager and logs in a temporary dir: fetches
// bounded by the last stable offset with the aborted transactions for read_committed consumers, ListOffsets by
// isolation level, and WriteTxnMarkers appending control batches and completing transactional offset commits.
import { ErrorCode } from '../../../src/protocol/errors';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { ATTRIBUTES, PRODUCER_ID, batchSize, isControl, isTransactional } from '../../../src/protocol/record/batch-header';
import type { AbortedTxn } from '../../../src/log/LogTypes';
import type { Partition } from '../../../src/server/Partition';
import type { ReplicaManager } from '../../../src/server/ReplicaManager';
import { abortedTransactionsOf, fetchIsolation } from '../../../src/server/ReplicaFetch';
import { Fetch, type FetchRequest, type FetchResponse } from '../../../src/protocol/messages/01-fetch';
import { WriteTxnMarkers, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '../../../src/protocol/messages/27-write-txn-markers';
import { Produce, type ProduceRequest, type ProduceResponse } from '../../../src/protocol/messages/00-produce';
import { decodeResponse, encodeResponse } from '../../../src/protocol/codec';
import { fetchHandler } from '../../../src/server/handlers/01-fetch';
import { writeTxnMarkersHandler } from '../../../src/server/handlers/27-write-txn-markers';
import { produceHandler, hasTransactionalRecords } from '../../../src/server/handlers/00-produce';
import { FetchManager, FetchSessionCache } from '../../../src/server/FetchSession';
import type { LeaderAndIsrRequest } from '../../../src/protocol/messages/04-leader-and-isr';
import type { GroupCoordinator } from '../../../src/coordinator/GroupCoordinator';
import { batch, requestContext } from './helpers';
import { leaderAndIsr, setup, until } from './replicaManagerSetup';

let managers: ReplicaManager[] = [];
afterEach(async () => {
  for (const rm of managers) await rm.shutdown();
  managers = [];
});

/** Broker 1 leads t-0 (ISR [1]: acks=-1 completes at once) and follows t-1 (leader 2). */
async function broker() {
  const s = await setup();
  managers.push(s.rm);
  await s.rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
  await s.rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 1, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1] }]), 4);
  s.cache.applyUpdate(9, 1, null, [0, 1].map((partition) => ({ topic: 't', partition, leader: partition === 0 ? 1 : 2, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 })));
  return s;
}

/**
 * Pins the partition's LSO and aborted transactions to what a test says (the Log computes them from its producer
 * state and transaction index; here the replica layer's use of them is under test).
 */
function pinTransactionState(p: Partition, lso: bigint, aborted: AbortedTxn[] = []): Array<[bigint, bigint]> {
  const asked: Array<[bigint, bigint]> = [];
  Object.defineProperty(p, 'lastStableOffset', { get: () => lso, configurable: true });
  p.collectAbortedTransactions = (from, to) => {
    asked.push([from, to]);
    return aborted.filter((t) => t.lastOffset >= from && t.firstOffset < to);
  };
  return asked;
}

const fetchReq = (isolationLevel: number, fetchOffset = 0n, maxWaitMs = 0, minBytes = 0) => ({
  replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel,
  partitions: [{ topic: 't', partition: 0, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, maxBytes: 1 << 20 }],
});

/** Offsets of the batches in a fetched record set. */
function batchBaseOffsets(records: Buffer): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < records.length; pos += batchSize(records, pos)) out.push(records.readBigInt64BE(pos));
  return out;
}

describe('Fetch isolation', () => {
  it('maps the replica id and isolation level to Kafka\'s FetchIsolation', () => {
    expect([fetchIsolation(2, 1), fetchIsolation(-1, 0), fetchIsolation(-1, 1)]).toEqual(['log-end', 'high-watermark', 'txn-committed']);
  });

  it('read_committed reads up to the LSO and lists the aborted transactions its records overlap; read_uncommitted reads to the HW with none', async () => {
    const { rm } = await broker();
    for (let i = 0; i < 4; i++) await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]); // offsets 0-7, HW 8
    const p = rm.getPartition('t', 0)!;
    // An open transaction from offset 4; an aborted one spans 0-3 (its marker elsewhere), another starts at 6.
    const asked = pinTransactionState(p, 4n, [
      { producerId: 7n, firstOffset: 1n, lastOffset: 3n, lastStableOffset: 4n },
      { producerId: 8n, firstOffset: 6n, lastOffset: 7n, lastStableOffset: 8n },
    ]);
    const [committed] = await rm.fetchMessages(fetchReq(1));
    expect(batchBaseOffsets(committed!.records!)).toEqual([0n, 2n]);
    expect(committed).toMatchObject({ errorCode: 0, highWatermark: 8n, lastStableOffset: 4n, abortedTransactions: [{ producerId: 7n, firstOffset: 1n }] });
    // The bound is the offset just past the fetched bytes.
    expect(asked).toEqual([[0n, 4n]]);
    const [uncommitted] = await rm.fetchMessages(fetchReq(0));
    expect(batchBaseOffsets(uncommitted!.records!)).toEqual([0n, 2n, 4n, 6n]);
    expect(uncommitted!.lastStableOffset).toBe(4n);
    expect(uncommitted!.abortedTransactions ?? null).toBeNull();
    // At the LSO: nothing to read and an empty list, not null.
    const [atLso] = await rm.fetchMessages(fetchReq(1, 4n));
    expect(atLso).toMatchObject({ errorCode: 0, lastStableOffset: 4n, abortedTransactions: [] });
    expect(atLso!.records!.length).toBe(0);
    // An error carries no list.
    const [outOfRange] = await rm.fetchMessages(fetchReq(1, 99n));
    expect(outOfRange).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, abortedTransactions: null });
  });

  it('the aborted-transaction bound is the read\'s end; nothing read lists nothing', () => {
    const calls: Array<[bigint, bigint]> = [];
    const p = { collectAbortedTransactions: (a: bigint, b: bigint): AbortedTxn[] => (calls.push([a, b]), [{ producerId: 3n, firstOffset: a, lastOffset: b, lastStableOffset: b }]) };
    expect(abortedTransactionsOf(p, 5n, null)).toEqual([]);
    expect(abortedTransactionsOf(p, 5n, 9n)).toEqual([{ producerId: 3n, firstOffset: 5n }]);
    expect(calls).toEqual([[5n, 9n]]);
  });

  it('every fetch answers the partition\'s real LSO, also on the real log with a transaction open', async () => {
    const { rm } = await broker();
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]);
    // A transaction's first batch, written as the coordinator may (no client rules): open from offset 2.
    const txn = buildRecordBatchSync({ records: [{ key: 'k', value: 'v', timestamp: 1000n }], producerId: 42n, producerEpoch: 0, baseSequence: 0, isTransactional: true });
    expect((await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: txn }], 'coordinator'))[0]!.errorCode).toBe(ErrorCode.NONE);
    const p = rm.getPartition('t', 0)!;
    for (const isolation of [0, 1]) {
      const [r] = await rm.fetchMessages(fetchReq(isolation));
      expect(r!.lastStableOffset).toBe(p.lastStableOffset);
      // Nothing at or past the LSO reaches a read_committed consumer.
      if (isolation === 1) expect(batchBaseOffsets(r!.records!).every((o) => o < p.lastStableOffset)).toBe(true);
    }
    const [follower] = await rm.fetchMessages({ ...fetchReq(0), replicaId: 2 });
    expect(follower!.lastStableOffset).toBe(p.lastStableOffset);
  });

  it('a parked read_committed fetch counts bytes only below the LSO and completes when the LSO moves', async () => {
    const { rm } = await broker();
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]); // HW 2
    const p = rm.getPartition('t', 0)!;
    let lso = 2n;
    Object.defineProperty(p, 'lastStableOffset', { get: () => lso, configurable: true });
    let got: FetchResponseLike | null = null;
    const waiting = rm.fetchMessages(fetchReq(1, 2n, 5000, 1)).then(([r]) => (got = r!));
    await until(() => rm.fetchPurgatory.delayed === 1);
    // New data below the HW but not below the LSO (a transaction is open there): still parked.
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]);
    expect(p.highWatermark).toBe(4n);
    expect(rm.fetchPurgatory.delayed).toBe(1);
    expect(got).toBeNull();
    // The marker lands: the LSO moves and the append re-checks the partition's parked fetches.
    lso = 4n;
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1) }]);
    await waiting;
    expect(batchBaseOffsets(got!.records!)).toEqual([2n]);
  });
});
type FetchResponseLike = { records: Buffer | null };

describe('Fetch handler', () => {
  it('answers abortedTransactions null for read_uncommitted and a list for read_committed, with the LSO field', async () => {
    const { rm, cache } = await broker();
    for (let i = 0; i < 3; i++) await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1) }]);
    pinTransactionState(rm.getPartition('t', 0)!, 2n, [{ producerId: 5n, firstOffset: 0n, lastOffset: 1n, lastStableOffset: 2n }]);
    const fm = new FetchManager(new FetchSessionCache(10));
    const request = (isolationLevel: number): FetchRequest => ({
      clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const answer = async (isolationLevel: number) => {
      const ctx = requestContext({ apiVersion: 11, metadataCache: cache, services: { replicaManager: rm, fetchManager: fm } });
      const r = await fetchHandler.handle(request(isolationLevel), ctx);
      return (decodeResponse(Fetch, 11, encodeResponse(Fetch, 11, 1, r as FetchResponse).subarray(4)).body as FetchResponse).responses[0]!.partitionResponses[0]!;
    };
    const uncommitted = await answer(0);
    expect(uncommitted).toMatchObject({ highWatermark: 3n, lastStableOffset: 2n, abortedTransactions: null });
    const committed = await answer(1);
    expect(committed).toMatchObject({ highWatermark: 3n, lastStableOffset: 2n, abortedTransactions: [{ producerId: 5n, firstOffset: 0n }] });
  });
});

describe('ListOffsets by isolation level', () => {
  it('LATEST is the LSO for read_committed, the HW for read_uncommitted, the LEO for replicas; timestamp lookups stop at the same bound', async () => {
    const { rm } = await broker();
    for (let i = 0; i < 4; i++) await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(1, 10, BigInt(1000 + i)) }]);
    pinTransactionState(rm.getPartition('t', 0)!, 2n);
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 1, -1, -1)).toMatchObject({ errorCode: 0, offset: 2n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 0, -1, -1)).toMatchObject({ errorCode: 0, offset: 4n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, null, -1, 2)).toMatchObject({ errorCode: 0, offset: 4n });
    // The record at timestamp 1003 is offset 3: past the LSO for read_committed (none), visible to read_uncommitted.
    expect(await rm.fetchOffsetForTimestamp('t', 0, 1003n, 1, -1, -1)).toMatchObject({ errorCode: 0, offset: -1n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, 1003n, 0, -1, -1)).toMatchObject({ errorCode: 0, offset: 3n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, 1001n, 1, -1, -1)).toMatchObject({ errorCode: 0, offset: 1n });
  });
});

/** LeaderAndIsr making broker 1 the only replica and leader of __consumer_offsets partitions. */
function offsetsLeader(partitions: number[]): LeaderAndIsrRequest {
  const req = leaderAndIsr(partitions.map((partition) => ({ partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] })));
  for (const t of req.topicStates) {
    t.topicName = '__consumer_offsets';
    for (const s of t.partitionStates) s.topicName = '__consumer_offsets';
  }
  return req;
}

describe('WriteTxnMarkers', () => {
  const marker = (producerId: bigint, commit: boolean, topics: Array<{ name: string; partitionIndexes: number[] }>, coordinatorEpoch = 3): WriteTxnMarkersRequest['markers'][number] => ({
    producerId, producerEpoch: 1, transactionResult: commit, topics, coordinatorEpoch,
  });

  async function handle(rm: ReplicaManager, req: WriteTxnMarkersRequest, groupCoordinator: Pick<GroupCoordinator, 'onTransactionCompleted'>, version = 1): Promise<WriteTxnMarkersResponse> {
    const ctx = requestContext({ apiVersion: version, services: { replicaManager: rm, groupCoordinator: groupCoordinator as GroupCoordinator } });
    const r = await writeTxnMarkersHandler.handle(req, ctx);
    return decodeResponse(WriteTxnMarkers, version, encodeResponse(WriteTxnMarkers, version, 1, r as WriteTxnMarkersResponse).subarray(4)).body as WriteTxnMarkersResponse;
  }

  it('appends one control batch per led partition and answers Kafka\'s errors for the others', async () => {
    const { rm } = await broker();
    await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: batch(2) }]);
    const completed: unknown[] = [];
    const res = await handle(rm, { markers: [marker(42n, true, [{ name: 't', partitionIndexes: [0, 1, 7] }, { name: 'gone', partitionIndexes: [0] }])] }, { onTransactionCompleted: (...a) => void completed.push(a) });
    expect(res.markers).toHaveLength(1);
    expect(res.markers[0]!.producerId).toBe(42n);
    const codes = Object.fromEntries(res.markers[0]!.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionIndex}`, p.errorCode])));
    expect(codes).toEqual({
      't-0': ErrorCode.NONE,
      't-1': ErrorCode.NOT_LEADER_OR_FOLLOWER,
      't-7': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      'gone-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    // No __consumer_offsets partition was written: the group coordinator is not told.
    expect(completed).toEqual([]);
    // The marker is the log's last batch: transactional and control, for producer 42, at offset 2.
    const p = rm.getPartition('t', 0)!;
    expect(p.logEndOffset).toBe(3n);
    const read = await p.read(2n, 1 << 20);
    const attributes = read.records.readInt16BE(ATTRIBUTES);
    expect([isTransactional(attributes), isControl(attributes)]).toEqual([true, true]);
    expect(read.records.readBigInt64BE(PRODUCER_ID)).toBe(42n);
    expect(batchBaseOffsets(read.records)).toEqual([2n]);
  });

  it('merges markers of one producer, writes one marker per named partition, and answers v0 the same', async () => {
    const { rm } = await broker();
    // t-0 named twice in the first marker: one marker batch.
    const res = await handle(rm, { markers: [marker(9n, false, [{ name: 't', partitionIndexes: [0, 0] }]), marker(9n, false, [{ name: 't', partitionIndexes: [7] }])] }, { onTransactionCompleted: () => undefined }, 0);
    expect(res.markers.map((m) => [m.producerId, m.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])])).toEqual([
      [9n, [['t', [[0, ErrorCode.NONE], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]]]],
    ]);
    expect(rm.getPartition('t', 0)!.logEndOffset).toBe(1n);
  });

  it('tells the group coordinator which __consumer_offsets partitions got the marker, before answering', async () => {
    const { rm } = await broker();
    await rm.becomeLeaderOrFollower(offsetsLeader([0, 3]), 4);
    const calls: Array<[bigint, readonly number[], boolean]> = [];
    const res = await handle(rm, { markers: [marker(11n, true, [{ name: '__consumer_offsets', partitionIndexes: [0, 3, 5] }, { name: 't', partitionIndexes: [0] }])] }, {
      onTransactionCompleted: (pid, parts, commit) => void calls.push([pid, [...parts], commit]),
    });
    expect(calls).toEqual([[11n, [0, 3], true]]);
    const codes = res.markers[0]!.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.errorCode]));
    expect(codes).toEqual(expect.arrayContaining([['__consumer_offsets', 0, 0], ['__consumer_offsets', 3, 0], ['__consumer_offsets', 5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], ['t', 0, 0]]));
    // An abort reaches it too, as an abort.
    await handle(rm, { markers: [marker(12n, false, [{ name: '__consumer_offsets', partitionIndexes: [3] }])] }, { onTransactionCompleted: (pid, parts, commit) => void calls.push([pid, [...parts], commit]) });
    expect(calls[1]).toEqual([12n, [3], false]);
  });

  it('answers UNKNOWN_SERVER_ERROR for the offsets partitions when the group coordinator fails (the marker stays written)', async () => {
    const { rm } = await broker();
    await rm.becomeLeaderOrFollower(offsetsLeader([0]), 4);
    const res = await handle(rm, { markers: [marker(13n, true, [{ name: '__consumer_offsets', partitionIndexes: [0] }, { name: 't', partitionIndexes: [0] }])] }, {
      onTransactionCompleted: () => {
        throw new Error('boom');
      },
    });
    const codes = res.markers[0]!.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.errorCode]));
    expect(codes).toEqual(expect.arrayContaining([['__consumer_offsets', ErrorCode.UNKNOWN_SERVER_ERROR], ['t', ErrorCode.NONE]]));
    expect(rm.getPartition('__consumer_offsets', 0)!.logEndOffset).toBe(1n);
  });
});

describe('Produce with transactional records', () => {
  const txnBatch = () => buildRecordBatchSync({ records: [{ key: 'k', value: 'v', timestamp: 1000n }], producerId: 5n, producerEpoch: 0, baseSequence: 0, isTransactional: true });
  const request = (transactionalId: string | null, records: Buffer, acks = -1): ProduceRequest => ({
    transactionalId, acks, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }, { index: 1, records: batch(1) }] }],
  });

  it('finds transactional records by the first batch of a partition', () => {
    expect(hasTransactionalRecords(request(null, txnBatch()))).toBe(true);
    expect(hasTransactionalRecords(request(null, batch(1)))).toBe(false);
  });

  it('refuses transactional records without a transactional id for every partition (Kafka: TRANSACTIONAL_ID_AUTHORIZATION_FAILED); nothing is written', async () => {
    const { rm, cache } = await broker();
    const ctx = requestContext({ apiVersion: 8, metadataCache: cache, services: { replicaManager: rm } });
    const r = await produceHandler.handle(request(null, txnBatch()), ctx);
    const decoded = decodeResponse(Produce, 8, encodeResponse(Produce, 8, 1, r as ProduceResponse).subarray(4)).body as ProduceResponse;
    expect(decoded.responses.flatMap((t) => t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset]))).toEqual([
      [0, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1n],
      [1, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1n],
    ]);
    expect(rm.getPartition('t', 0)!.logEndOffset).toBe(0n);
    // acks=0: no answer, the connection closes.
    expect(await produceHandler.handle(request(null, txnBatch(), 0), ctx)).toMatchObject({ noResponse: true, closeConnection: expect.any(String) });
  });
});
