// The transaction handlers at the wire: FindCoordinator key type 1, InitProducerId's KIP-360 checks and
// PRODUCER_FENCED rewriting by version, AddPartitionsToTxn's whole-request failures (internal topic, unknown
// partition) with OPERATION_NOT_ATTEMPTED for the rest, AddOffsetsToTxn's __consumer_offsets partition, EndTxn,
// DescribeTransactions and ListTransactions — over a real coordinator with an in-memory log.
import { ErrorCode } from '../../../../src/protocol/errors';
import type { ApiDef, RequestInput, ResponseOf } from '../../../../src/protocol/schema';
import { decodeRequest, encodeRequest, readRequestHeader } from '../../../../src/protocol/codec';
import { MetadataCache, type CachedPartition } from '../../../../src/server/MetadataCache';
import type { Handler, RequestContext } from '../../../../src/server/handlers/types';
import type { GroupCoordinator } from '../../../../src/coordinator/GroupCoordinator';
import { findCoordinatorHandler } from '../../../../src/server/handlers/10-find-coordinator';
import { metadataHandler } from '../../../../src/server/handlers/03-metadata';
import { initProducerIdHandler } from '../../../../src/server/handlers/22-init-producer-id';
import { addPartitionsToTxnHandler } from '../../../../src/server/handlers/24-add-partitions-to-txn';
import { addOffsetsToTxnHandler } from '../../../../src/server/handlers/25-add-offsets-to-txn';
import { endTxnHandler } from '../../../../src/server/handlers/26-end-txn';
import { describeTransactionsHandler } from '../../../../src/server/handlers/65-describe-transactions';
import { listTransactionsHandler } from '../../../../src/server/handlers/66-list-transactions';
import { TRANSACTION_STATE_TOPIC } from '../../../../src/coordinator/transaction/TransactionLog';
import { OFFSETS_TOPIC } from '../../../../src/coordinator/javaHash';
import { requestContext } from '../../server/helpers';
import { startTxnCoordinator, NUM_PARTITIONS, type TxnHarness } from './helpers';

function cacheWith(partitions: Array<[string, number, number]>): MetadataCache {
  const cache = new MetadataCache('c', 1);
  const ps: CachedPartition[] = partitions.map(([topic, partition, leader]) => ({ topic, partition, leader, leaderEpoch: 0, isr: [leader], replicas: [leader], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }));
  cache.applyUpdate(1, 1, [1, 2].map((id) => ({ id, rack: null, endpoints: new Map([['PLAINTEXT', { host: `b${id}`, port: 9000 + id }]]), epoch: 1n })), ps);
  return cache;
}

function context(h: TxnHarness, apiVersion: number, cache = cacheWith([['t', 0, 1], ['t', 1, 2]]), groupPartition = 3): RequestContext {
  const groupCoordinator = { partitionFor: () => groupPartition } as unknown as GroupCoordinator;
  const base = requestContext({ apiVersion, metadataCache: cache, services: { transactionCoordinator: h.tc, groupCoordinator } });
  return { ...base, connection: { listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1' } as RequestContext['connection'] };
}

async function call<A extends ApiDef>(handler: Handler<A>, ctx: RequestContext, body: RequestInput<A>): Promise<ResponseOf<A>> {
  const frame = encodeRequest(handler.api, ctx.apiVersion, { correlationId: 1, clientId: 'test' }, body).subarray(4);
  const req = decodeRequest(handler.api, ctx.apiVersion, frame, readRequestHeader(frame).bodyOffset);
  const r = await handler.handle(req, ctx);
  if ('noResponse' in r) throw new Error('transaction APIs always answer');
  return r;
}

describe('transaction handlers', () => {
  test('FindCoordinator key type 1: topic missing → COORDINATOR_NOT_AVAILABLE and creation starts; then the partition leader', async () => {
    let created = 0;
    const h = await startTxnCoordinator({ createTransactionTopic: async () => { created++; } });
    const missing = await call(findCoordinatorHandler, context(h, 3), { key: 'tx', keyType: 1 });
    expect(missing.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(created).toBe(1);
    const p = h.tc.partitionFor('tx');
    const cache = cacheWith(Array.from({ length: NUM_PARTITIONS }, (_, i) => [TRANSACTION_STATE_TOPIC, i, i === p ? 2 : 1] as [string, number, number]));
    expect(await call(findCoordinatorHandler, context(h, 3, cache), { key: 'tx', keyType: 1 })).toMatchObject({ errorCode: 0, nodeId: 2, host: 'b2', port: 9002 });
    const v4 = await call(findCoordinatorHandler, context(h, 4, cache), { keyType: 1, coordinatorKeys: ['tx'] });
    expect(v4.coordinators).toEqual([{ key: 'tx', nodeId: 2, host: 'b2', port: 9002, errorCode: 0, errorMessage: null }]);
  });

  test('InitProducerId: producer id without epoch (or the reverse) → INVALID_REQUEST; PRODUCER_FENCED only from v4', async () => {
    const h = await startTxnCoordinator();
    const first = await call(initProducerIdHandler, context(h, 4), { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(first).toMatchObject({ errorCode: 0, producerId: 1000n, producerEpoch: 0 });
    expect((await call(initProducerIdHandler, context(h, 3), { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: 1000n, producerEpoch: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await call(initProducerIdHandler, context(h, 3), { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await call(initProducerIdHandler, context(h, 4), { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: 5n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await call(initProducerIdHandler, context(h, 3), { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: 5n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('AddPartitionsToTxn: an internal topic or unknown partition fails the request; the others answer OPERATION_NOT_ATTEMPTED', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await h.tc.handleInitProducerId('tx', 60_000, null);
    const r = await call(addPartitionsToTxnHandler, context(h, 3), { transactionalId: 'tx', producerId, producerEpoch: 0, topics: [
      { name: 't', partitions: [0, 7] }, { name: OFFSETS_TOPIC, partitions: [0] },
    ] });
    expect(r.results).toEqual([
      { name: 't', results: [{ partitionIndex: 0, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }, { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: OFFSETS_TOPIC, results: [{ partitionIndex: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }] },
    ]);
    expect(h.store.appends).toBe(1); // only InitProducerId's write
    const ok = await call(addPartitionsToTxnHandler, context(h, 3), { transactionalId: 'tx', producerId, producerEpoch: 0, topics: [{ name: 't', partitions: [0, 1] }] });
    expect(ok.results[0]!.results.map((x) => x.errorCode)).toEqual([0, 0]);
    const fenced = { transactionalId: 'tx', producerId, producerEpoch: 9, topics: [{ name: 't', partitions: [0] }] };
    expect((await call(addPartitionsToTxnHandler, context(h, 2), fenced)).results[0]!.results[0]!.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await call(addPartitionsToTxnHandler, context(h, 1), fenced)).results[0]!.results[0]!.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('AddOffsetsToTxn adds the group\'s __consumer_offsets partition; EndTxn commits; Describe and List show it', async () => {
    const h = await startTxnCoordinator();
    const { producerId } = await h.tc.handleInitProducerId('tx', 60_000, null);
    expect((await call(addOffsetsToTxnHandler, context(h, 3, undefined, 4), { transactionalId: 'tx', producerId, producerEpoch: 0, groupId: 'g' })).errorCode).toBe(0);
    const d = await call(describeTransactionsHandler, context(h, 0), { transactionalIds: ['tx', 'unknown'] });
    expect(d.transactionStates[0]).toMatchObject({ errorCode: 0, transactionalId: 'tx', transactionState: 'Ongoing', producerId, topics: [{ topic: OFFSETS_TOPIC, partitions: [4] }] });
    expect(d.transactionStates[1]).toMatchObject({ errorCode: 105, transactionalId: 'unknown' });
    expect((await call(addOffsetsToTxnHandler, context(h, 1), { transactionalId: 'tx', producerId, producerEpoch: 3, groupId: 'g' })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await call(endTxnHandler, context(h, 3), { transactionalId: 'tx', producerId, producerEpoch: 0, committed: true })).errorCode).toBe(0);
    expect((await call(endTxnHandler, context(h, 2), { transactionalId: 'tx', producerId, producerEpoch: 1, committed: true })).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await call(endTxnHandler, context(h, 1), { transactionalId: 'tx', producerId, producerEpoch: 1, committed: true })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const l = await call(listTransactionsHandler, context(h, 0), { stateFilters: ['PrepareCommit', 'CompleteCommit', 'Nope'], producerIdFilters: [] });
    expect(l.errorCode).toBe(0);
    expect(l.unknownStateFilters).toEqual(['Nope']);
    expect(l.transactionStates.map((s) => s.transactionalId)).toEqual(['tx']);
  });

  test('Metadata auto-creation leaves __transaction_state to the coordinator (its own settings), ordinary topics to auto-creation', async () => {
    let created = 0;
    const h = await startTxnCoordinator({ createTransactionTopic: async () => { created++; } });
    const autoCreated: string[][] = [];
    const autoTopicCreation = { createTopics: async (names: string[]) => { autoCreated.push(names); return new Map(names.map((n) => [n, ErrorCode.LEADER_NOT_AVAILABLE])); } };
    const base = requestContext({ apiVersion: 9, metadataCache: cacheWith([]), services: { transactionCoordinator: h.tc, autoTopicCreation } });
    const r = await call(metadataHandler, base, { topics: [{ name: TRANSACTION_STATE_TOPIC }, { name: 'fresh' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(autoCreated).toEqual([['fresh']]);
    expect(created).toBe(1);
    expect(r.topics.map((t) => [t.name, t.errorCode, t.isInternal])).toEqual([['fresh', ErrorCode.LEADER_NOT_AVAILABLE, false], [TRANSACTION_STATE_TOPIC, ErrorCode.LEADER_NOT_AVAILABLE, true]].sort());
  });
});
