// TxnOffsetCommit (28) v0-3 and OffsetFetch v7-8 requireStable through the handlers, over a real GroupCoordinator on
// a fake clock: unknown partitions, the v0-1 COORDINATOR_LOAD_IN_PROGRESS rewrite, the v3 KIP-447 fields, and
// UNSTABLE_OFFSET_COMMIT for a pending transactional commit.
import { ErrorCode } from '../../../../src/protocol/errors';
import type { ApiDef, RequestInput, ResponseOf } from '../../../../src/protocol/schema';
import { decodeRequest, encodeRequest, readRequestHeader } from '../../../../src/protocol/codec';
import { MetadataCache, type CachedPartition } from '../../../../src/server/MetadataCache';
import type { Handler, RequestContext } from '../../../../src/server/handlers/types';
import { txnOffsetCommitHandler } from '../../../../src/server/handlers/28-txn-offset-commit';
import { offsetFetchHandler } from '../../../../src/server/handlers/09-offset-fetch';
import { handlersByKey } from '../../../../src/server/handlers/registry';
import { GroupCoordinator } from '../../../../src/coordinator/GroupCoordinator';
import { moduleLogger } from '../../../../src/util/logger';
import { FakeScheduler, InMemoryOffsetsStore, markerBatch, startCoordinator, subscription, TEST_CONFIG, type Harness } from '../../coordinator/helpers';
import { requestContext } from '../helpers';

const PID = 77n;

/** A cache that knows topic t with partitions 0-1. */
function cacheWithTopic(): MetadataCache {
  const cache = new MetadataCache('c', 1);
  const partitions: CachedPartition[] = [0, 1].map((p) => ({ topic: 't', partition: p, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 }));
  cache.applyUpdate(1, 1, [{ id: 1, rack: null, endpoints: new Map([['PLAINTEXT', { host: 'b1', port: 9092 }]]), epoch: 1n }], partitions);
  return cache;
}

function context(gc: GroupCoordinator, apiVersion: number): RequestContext {
  return requestContext({ apiVersion, metadataCache: cacheWithTopic(), services: { groupCoordinator: gc } });
}

/** Sends `body` through the codec at `version` (so absent fields take their defaults) and runs the handler. */
async function call<A extends ApiDef>(handler: Handler<A>, ctx: RequestContext, body: RequestInput<A>): Promise<ResponseOf<A>> {
  const frame = encodeRequest(handler.api, ctx.apiVersion, { correlationId: 1, clientId: 'test' }, body).subarray(4);
  const req = decodeRequest(handler.api, ctx.apiVersion, frame, readRequestHeader(frame).bodyOffset);
  const r = await handler.handle(req, ctx);
  if ('noResponse' in r) throw new Error('these APIs always answer');
  return r;
}

const body = (extra: Record<string, unknown> = {}) => ({
  transactionalId: 'tx', groupId: 'g', producerId: PID, producerEpoch: 0,
  topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 2, committedMetadata: 'm' }, { partitionIndex: 9, committedOffset: 6n, committedLeaderEpoch: -1, committedMetadata: null }] }],
  ...extra,
});

const fetchV7 = (h: Harness, requireStable: boolean) =>
  call(offsetFetchHandler, context(h.gc, 7), { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable });

test('TxnOffsetCommit is registered at versions 0-3', () => {
  expect(handlersByKey.get(28)?.versions).toEqual([0, 3]);
});

test.each([0, 1, 2, 3])('v%i: unknown partition refused, known one pending until its commit marker; requireStable sees it unstable', async (v) => {
  const h = await startCoordinator();
  const r = await call(txnOffsetCommitHandler, context(h.gc, v), body());
  expect(r.topics).toEqual([{ name: 't', partitions: [
    { partitionIndex: 0, errorCode: ErrorCode.NONE },
    { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
  ] }]);
  expect((await fetchV7(h, false)).topics[0]!.partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: ErrorCode.NONE });
  expect((await fetchV7(h, true)).topics[0]!.partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });

  const partition = h.gc.partitionFor('g');
  await h.store.append(partition, markerBatch(PID, 0, true));
  h.gc.onTransactionCompleted(PID, [partition], true);
  // The leader epoch is carried from v2 on.
  expect((await fetchV7(h, true)).topics[0]!.partitions[0]).toMatchObject({ committedOffset: 5n, committedLeaderEpoch: v >= 2 ? 2 : -1, metadata: 'm', errorCode: ErrorCode.NONE });
});

test('OffsetFetch v8 applies requireStable to every group', async () => {
  const h = await startCoordinator();
  await call(txnOffsetCommitHandler, context(h.gc, 3), body());
  const r = await call(offsetFetchHandler, context(h.gc, 8), { groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }], requireStable: true });
  expect(r.groups[0]!.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNSTABLE_OFFSET_COMMIT, ErrorCode.NONE]);
});

test('v3 carries member and generation (KIP-447): a stale generation is ILLEGAL_GENERATION, an unknown member UNKNOWN_MEMBER_ID', async () => {
  const h = await startCoordinator();
  const join = h.gc.joinGroup({ groupId: 'g', memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }] });
  await h.scheduler.advance(0);
  const m = await join;
  const codes = async (extra: Record<string, unknown>) => (await call(txnOffsetCommitHandler, context(h.gc, 3), body(extra))).topics[0]!.partitions[0]!.errorCode;
  expect(await codes({ memberId: m.memberId, generationId: m.generationId + 1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
  expect(await codes({ memberId: 'stranger', generationId: m.generationId })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  expect(await codes({ memberId: m.memberId, generationId: m.generationId })).toBe(ErrorCode.NONE);
});

test('COORDINATOR_LOAD_IN_PROGRESS is answered COORDINATOR_NOT_AVAILABLE to v0-1 (KAFKA-7296), v2+ get it as it is', async () => {
  const store = new InMemoryOffsetsStore();
  store.holdReads = true;
  const gc = new GroupCoordinator({ brokerId: 1, config: TEST_CONFIG, store, scheduler: new FakeScheduler(), createOffsetsTopic: async () => undefined, logger: moduleLogger('test', {}) });
  gc.startup();
  const loading = gc.onBecomeLeader(gc.partitionFor('g'), 1);
  const code = async (v: number) => (await call(txnOffsetCommitHandler, context(gc, v), body())).topics[0]!.partitions[0]!.errorCode;
  expect(await code(0)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  expect(await code(1)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  expect(await code(2)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  expect(await code(3)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  store.releaseReads();
  await loading;
  gc.shutdown();
});
