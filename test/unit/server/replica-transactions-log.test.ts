// A transaction's life as the replica layer serves it, over real logs (their producer state and transaction index
// decide the LSO and the aborted transactions): transactional produce, read_committed fetches and ListOffsets held at
// the LSO, WriteTxnMarkers ending it (and fencing a stale coordinator), DescribeProducers' open transaction.
// Needs the transactional log layer of issue #15 (branch h-L: real LSO, .txnindex, markers in the producer state).
import { ErrorCode } from '../../../src/protocol/errors';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { batchSize } from '../../../src/protocol/record/batch-header';
import type { ReplicaManager } from '../../../src/server/ReplicaManager';
import type { MetadataCache } from '../../../src/server/MetadataCache';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../../src/protocol/messages/27-write-txn-markers';
import { writeTxnMarkersHandler } from '../../../src/server/handlers/27-write-txn-markers';
import { produceHandler } from '../../../src/server/handlers/00-produce';
import type { ProduceResponse } from '../../../src/protocol/messages/00-produce';
import type { GroupCoordinator } from '../../../src/coordinator/GroupCoordinator';
import { batch, requestContext } from './helpers';
import { leaderAndIsr, setup, until } from './replicaManagerSetup';

let managers: ReplicaManager[] = [];
afterEach(async () => {
  for (const rm of managers) await rm.shutdown();
  managers = [];
});

/** Broker 1 alone leads t-0. */
async function broker(): Promise<ReplicaManager> {
  return (await brokerWithCache()).rm;
}

async function brokerWithCache(): Promise<{ rm: ReplicaManager; cache: MetadataCache }> {
  const { rm, cache } = await setup();
  managers.push(rm);
  await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1] }]), 4);
  cache.applyUpdate(9, 1, null, [{ topic: 't', partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }]);
  return { rm, cache };
}

const PID = 77n;
const txnBatch = (baseSequence: number, count = 1) => buildRecordBatchSync({
  records: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: 'v', timestamp: 1000n })), producerId: PID, producerEpoch: 2, baseSequence, isTransactional: true,
});

async function produce(rm: ReplicaManager, records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const [r] = await rm.appendRecords(1000, -1, [{ topic: 't', partition: 0, records }]);
  return { errorCode: r!.errorCode, baseOffset: r!.baseOffset };
}

async function writeMarker(rm: ReplicaManager, commit: boolean, coordinatorEpoch = 4): Promise<number> {
  const req: WriteTxnMarkersRequest = { markers: [{ producerId: PID, producerEpoch: 2, transactionResult: commit, coordinatorEpoch, topics: [{ name: 't', partitionIndexes: [0] }] }] };
  const ctx = requestContext({ apiVersion: 1, services: { replicaManager: rm, groupCoordinator: { onTransactionCompleted: () => undefined } as unknown as GroupCoordinator } });
  const res = (await writeTxnMarkersHandler.handle(req, ctx)) as WriteTxnMarkersResponse;
  return res.markers[0]!.topics[0]!.partitions[0]!.errorCode;
}

const consumerFetch = (rm: ReplicaManager, isolationLevel: number, fetchOffset = 0n, maxWaitMs = 0) => rm.fetchMessages({
  replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel,
  partitions: [{ topic: 't', partition: 0, fetchOffset, currentLeaderEpoch: -1, logStartOffset: -1n, maxBytes: 1 << 20 }],
}).then((rs) => rs[0]!);

function batchBaseOffsets(records: Buffer): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < records.length; pos += batchSize(records, pos)) out.push(records.readBigInt64BE(pos));
  return out;
}

describe('a transaction through the replica layer', () => {
  it('an open transaction holds read_committed fetches and ListOffsets at its first offset; the abort marker releases them and is listed', async () => {
    const rm = await broker();
    expect((await produce(rm, batch(2))).errorCode).toBe(ErrorCode.NONE); // offsets 0-1
    expect(await produce(rm, txnBatch(0, 2))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 2n }); // 2-3, open
    expect((await produce(rm, batch(1))).errorCode).toBe(ErrorCode.NONE); // 4
    const p = rm.getPartition('t', 0)!;
    expect([p.highWatermark, p.lastStableOffset]).toEqual([5n, 2n]);
    expect(rm.activeProducerState('t', 0).producers.find((e) => e.producerId === PID)?.currentTxnStartOffset).toBe(2n);

    const held = await consumerFetch(rm, 1);
    expect(batchBaseOffsets(held.records!)).toEqual([0n]);
    expect(held).toMatchObject({ lastStableOffset: 2n, highWatermark: 5n, abortedTransactions: [] });
    const uncommitted = await consumerFetch(rm, 0);
    expect(batchBaseOffsets(uncommitted.records!)).toEqual([0n, 2n, 4n]);
    expect(uncommitted.lastStableOffset).toBe(2n);
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 1, -1, -1)).toMatchObject({ offset: 2n });
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 0, -1, -1)).toMatchObject({ offset: 5n });

    // A read_committed consumer waiting at the LSO is released by the marker.
    let released: bigint[] | null = null;
    const parked = consumerFetch(rm, 1, 2n, 5000).then((r) => (released = batchBaseOffsets(r.records!)));
    await until(() => rm.fetchPurgatory.delayed === 1);
    expect(released).toBeNull();
    expect(await writeMarker(rm, false)).toBe(ErrorCode.NONE); // the ABORT marker at offset 5
    await parked;
    expect(released).toEqual([2n, 4n, 5n]);
    expect([p.highWatermark, p.lastStableOffset]).toEqual([6n, 6n]);
    expect(rm.activeProducerState('t', 0).producers.find((e) => e.producerId === PID)?.currentTxnStartOffset).toBe(-1n);

    const all = await consumerFetch(rm, 1);
    expect(batchBaseOffsets(all.records!)).toEqual([0n, 2n, 4n, 5n]);
    expect(all).toMatchObject({ lastStableOffset: 6n, abortedTransactions: [{ producerId: PID, firstOffset: 2n }] });
    // The transaction spans up to its marker: a read from inside it (offset 4) still needs it; one at the end does not.
    expect((await consumerFetch(rm, 1, 4n)).abortedTransactions).toEqual([{ producerId: PID, firstOffset: 2n }]);
    expect((await consumerFetch(rm, 1, 6n)).abortedTransactions).toEqual([]);
    expect(await rm.fetchOffsetForTimestamp('t', 0, -1n, 1, -1, -1)).toMatchObject({ offset: 6n });
  });

  it('with a follower, the LSO passes the transaction once the HW covers its marker, and that HW move releases a parked fetch', async () => {
    const { rm } = await setup();
    managers.push(rm);
    await rm.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] }]), 4);
    const followerFetch = (fetchOffset: bigint) => rm.fetchMessages({
      replicaId: 2, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
      partitions: [{ topic: 't', partition: 0, fetchOffset, currentLeaderEpoch: 0, logStartOffset: 0n, maxBytes: 1 << 20 }],
    });
    expect((await rm.appendRecords(1000, 1, [{ topic: 't', partition: 0, records: txnBatch(0) }]))[0]!.errorCode).toBe(ErrorCode.NONE); // offset 0
    await followerFetch(1n);
    const p = rm.getPartition('t', 0)!;
    expect([p.highWatermark, p.lastStableOffset]).toEqual([1n, 0n]);
    let released: bigint[] | null = null;
    const parked = consumerFetch(rm, 1, 0n, 5000).then((r) => (released = batchBaseOffsets(r.records!)));
    await until(() => rm.fetchPurgatory.delayed === 1);
    // The commit marker (offset 1) waits for the follower; until the HW covers it the transaction is not stable.
    const marker = writeMarker(rm, true);
    // Parked in the produce purgatory: the append, and its re-check of the parked fetches, are done.
    await until(() => rm.producePurgatory.delayed === 1);
    expect(p.logEndOffset).toBe(2n);
    expect(p.lastStableOffset).toBe(0n);
    expect(released).toBeNull();
    await followerFetch(2n);
    expect(await marker).toBe(ErrorCode.NONE);
    await parked;
    expect(released).toEqual([0n, 1n]);
    expect(p.lastStableOffset).toBe(2n);
  });

  it('a follower appends the leader\'s transactional and control batches as they are and replays the transaction', async () => {
    const leader = await broker();
    expect((await produce(leader, txnBatch(0, 2))).errorCode).toBe(ErrorCode.NONE); // 0-1
    expect(await writeMarker(leader, false)).toBe(ErrorCode.NONE); // 2
    expect((await produce(leader, txnBatch(2))).errorCode).toBe(ErrorCode.NONE); // 3, open
    const { rm: follower } = await setup();
    managers.push(follower);
    await follower.becomeLeaderOrFollower(leaderAndIsr([{ partition: 0, leader: 2, leaderEpoch: 0, isr: [2, 1], replicas: [2, 1] }]), 4);
    const fp = follower.getPartition('t', 0)!;
    // What the leader's fetch answers a follower (up to its LEO), appended as the fetcher does.
    const [fetched] = await leader.fetchMessages({ replicaId: 1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 0n, currentLeaderEpoch: 0, logStartOffset: 0n, maxBytes: 1 << 20 }] });
    await fp.appendRecordsToFollower(fetched!.records!);
    await fp.updateFollowerOffsets(fetched!.highWatermark, fetched!.logStartOffset);
    expect(fp.logEndOffset).toBe(4n);
    expect(follower.activeProducerState('t', 0).producers.find((e) => e.producerId === PID)?.currentTxnStartOffset).toBe(3n);
    expect(fp.lastStableOffset).toBe(3n);
    expect(fp.collectAbortedTransactions(0n, 4n).map((t) => [t.producerId, t.firstOffset, t.lastOffset])).toEqual([[PID, 0n, 2n]]);
  });

  it('Produce accepts a client\'s transactional batch with a transactional id; the log refuses a stale producer epoch', async () => {
    const { rm, cache } = await brokerWithCache();
    const ctx = requestContext({ apiVersion: 8, metadataCache: cache, services: { replicaManager: rm } });
    const send = async (records: Buffer) => {
      const r = (await produceHandler.handle({ transactionalId: 'tx-1', acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] }, ctx)) as ProduceResponse;
      return r.responses[0]!.partitionResponses[0]!;
    };
    expect(await send(txnBatch(0))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(rm.getPartition('t', 0)!.lastStableOffset).toBe(0n);
    const stale = buildRecordBatchSync({ records: [{ key: 'k', value: 'v', timestamp: 1000n }], producerId: PID, producerEpoch: 1, baseSequence: 0, isTransactional: true });
    expect((await send(stale)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('a commit marker lists nothing aborted; a marker from an older coordinator epoch is fenced', async () => {
    const rm = await broker();
    expect((await produce(rm, txnBatch(0))).errorCode).toBe(ErrorCode.NONE);
    expect(await writeMarker(rm, true, 4)).toBe(ErrorCode.NONE);
    const r = await consumerFetch(rm, 1);
    expect(batchBaseOffsets(r.records!)).toEqual([0n, 1n]);
    expect(r).toMatchObject({ lastStableOffset: 2n, abortedTransactions: [] });
    // The next transaction of the same producer, ended by a coordinator older than the one that wrote the last marker.
    expect((await produce(rm, txnBatch(1))).errorCode).toBe(ErrorCode.NONE);
    expect(await writeMarker(rm, true, 3)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(rm.getPartition('t', 0)!.lastStableOffset).toBe(2n);
  });
});
