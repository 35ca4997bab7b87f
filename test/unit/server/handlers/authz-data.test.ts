// Authorization of the data-path handlers against a real AclAuthorizer holding ACLs in memory, as Kafka 2.8's KafkaApis
// checks them: Produce (WRITE topic, WRITE transactional id), Fetch (READ topic; CLUSTER_ACTION for followers),
// ListOffsets (DESCRIBE), Metadata (DESCRIBE with hiding, CREATE for auto-creation, authorized operations),
// DeleteRecords (DELETE) and OffsetForLeaderEpoch (CLUSTER_ACTION or DESCRIBE).
import { ErrorCode } from '../../../../src/protocol/errors';
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import type { AutoTopicCreationManager } from '../../../../src/server/AutoTopicCreationManager';
import { FetchManager, FetchSessionCache } from '../../../../src/server/FetchSession';
import { produceHandler } from '../../../../src/server/handlers/00-produce';
import { fetchHandler } from '../../../../src/server/handlers/01-fetch';
import { listOffsetsHandler } from '../../../../src/server/handlers/02-list-offsets';
import { metadataHandler } from '../../../../src/server/handlers/03-metadata';
import { deleteRecordsHandler } from '../../../../src/server/handlers/21-delete-records';
import { offsetForLeaderEpochHandler } from '../../../../src/server/handlers/23-offset-for-leader-epoch';
import { ATTRIBUTES, BATCH_HEADER_SIZE, MAGIC } from '../../../../src/protocol/record/batch-header';
import { allow, answer, authorizerWith, call, deny, securedContext } from './authzHelpers';

function cache(): MetadataCache {
  const c = new MetadataCache('c', 1);
  c.setBrokers([{ id: 1, rack: null, epoch: 1n, endpoints: new Map([['PLAINTEXT', { host: '127.0.0.1', port: 9092 }]]) }], 1);
  const part = (topic: string, partition: number) => ({ topic, partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 });
  c.applyUpdate(1, 1, null, ['orders', 'payments', 'secret'].flatMap((t) => [part(t, 0), part(t, 1)]));
  return c;
}

/** A ReplicaManager double answering every append, fetch and offset call with success, recording what reached it. */
function replicaManager(reached: string[]) {
  return {
    getPartition: () => undefined,
    appendRecords: async (_t: number, _a: number, entries: Array<{ topic: string; partition: number }>) => entries.map((e) => {
      reached.push(`append ${e.topic}-${e.partition}`);
      return { topic: e.topic, partition: e.partition, errorCode: 0, errorMessage: null, baseOffset: 0n, logAppendTime: -1n, logStartOffset: 0n };
    }),
    fetchMessages: async (p: { partitions: Array<{ topic: string; partition: number }> }) => p.partitions.map((x) => {
      reached.push(`fetch ${x.topic}-${x.partition}`);
      return { topic: x.topic, partition: x.partition, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, records: Buffer.alloc(100, 1) };
    }),
    fetchOffsetForTimestamp: async (topic: string, partition: number) => {
      reached.push(`offsets ${topic}-${partition}`);
      return { errorCode: 0, timestamp: -1n, offset: 5n, leaderEpoch: 0 };
    },
    deleteRecords: async (topic: string, partition: number) => {
      reached.push(`delete ${topic}-${partition}`);
      return { errorCode: 0, lowWatermark: 3n };
    },
    lastOffsetForLeaderEpoch: (topic: string, partition: number) => {
      reached.push(`epoch ${topic}-${partition}`);
      return { errorCode: 0, leaderEpoch: 0, endOffset: 7n };
    },
  } as unknown as ReplicaManager;
}

/** A record batch header with the given attributes (bit 4: transactional). */
function batch(attributes = 0): Buffer {
  const b = Buffer.alloc(BATCH_HEADER_SIZE);
  b.writeInt8(2, MAGIC);
  b.writeInt16BE(attributes, ATTRIBUTES);
  return b;
}

const produce = (topics: string[], transactionalId: string | null = null, records = batch()) => ({
  transactionalId, acks: 1, timeoutMs: 1000,
  topicData: topics.map((name) => ({ name, partitionData: [{ index: 0, records }, { index: 1, records }] })),
});

describe('Produce', () => {
  test('WRITE on each topic: denied topics answer TOPIC_AUTHORIZATION_FAILED per partition and are not appended', async () => {
    const a = await authorizerWith([allow('User:alice', 'WRITE', 'TOPIC', 'orders')]);
    const reached: string[] = [];
    const ctx = securedContext(a, 'alice', { metadataCache: cache(), services: { replicaManager: replicaManager(reached) }, apiVersion: 8 });
    const res = await answer(produceHandler.handle(produce(['orders', 'payments']), ctx));
    expect(res.responses.map((t) => [t.name, t.partitionResponses.map((p) => p.errorCode)])).toEqual([
      ['orders', [ErrorCode.NONE, ErrorCode.NONE]],
      ['payments', [ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED]],
    ]);
    expect(reached).toEqual(['append orders-0', 'append orders-1']);
  });

  test('a prefixed ALLOW covers the topics it starts; a DENY wins over it', async () => {
    const a = await authorizerWith([allow('User:alice', 'WRITE', 'TOPIC', 'pay', 'PREFIXED'), deny('User:alice', 'WRITE', 'TOPIC', 'secret')]);
    const reached: string[] = [];
    const ctx = securedContext(a, 'alice', { metadataCache: cache(), services: { replicaManager: replicaManager(reached) }, apiVersion: 8 });
    const res = await answer(produceHandler.handle(produce(['payments', 'secret']), ctx));
    expect(res.responses.map((t) => t.partitionResponses[0]!.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  });

  test('transactional records need WRITE on the transactional id: otherwise the whole request fails', async () => {
    const a = await authorizerWith([allow('User:alice', 'WRITE', 'TOPIC', 'orders'), allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx-ok')]);
    const reached: string[] = [];
    const ctx = securedContext(a, 'alice', { metadataCache: cache(), services: { replicaManager: replicaManager(reached) }, apiVersion: 8 });
    const txnBatch = batch(0x10);
    const refused = await answer(produceHandler.handle(produce(['orders'], 'tx-other', txnBatch), ctx));
    expect(refused.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);
    expect(reached).toEqual([]);
    const accepted = await answer(produceHandler.handle(produce(['orders'], 'tx-ok', txnBatch), ctx));
    expect(accepted.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  });

  test('no IDEMPOTENT_WRITE check on Produce (Kafka 2.8): WRITE on the topic is enough for an idempotent batch', async () => {
    const a = await authorizerWith([allow('User:alice', 'WRITE', 'TOPIC', 'orders')]);
    const ctx = securedContext(a, 'alice', { metadataCache: cache(), services: { replicaManager: replicaManager([]) }, apiVersion: 8 });
    const idempotent = batch();
    idempotent.writeBigInt64BE(42n, 43); // producer id
    const res = await answer(produceHandler.handle(produce(['orders'], null, idempotent), ctx));
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('Fetch', () => {
  const fetchBody = (replicaId: number, topics: string[]) => ({
    replicaId, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: topics.map((topic) => ({ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] })),
    forgottenTopicsData: [],
  });

  test('a consumer needs READ on each topic; the others answer TOPIC_AUTHORIZATION_FAILED and are not read', async () => {
    const a = await authorizerWith([allow('User:alice', 'READ', 'TOPIC', 'orders')]);
    const reached: string[] = [];
    const ctx = securedContext(a, 'alice', { metadataCache: cache(), apiVersion: 11, services: { replicaManager: replicaManager(reached), fetchManager: new FetchManager(new FetchSessionCache(10)) } });
    const res = await call(fetchHandler, ctx, fetchBody(-1, ['orders', 'payments']));
    expect(res.responses.map((t) => [t.topic, t.partitionResponses[0]!.errorCode, t.partitionResponses[0]!.recordSet?.length])).toEqual([
      ['orders', ErrorCode.NONE, 100],
      ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
    ]);
    expect(reached).toEqual(['fetch orders-0']);
  });

  test('a follower needs CLUSTER_ACTION on the cluster, not READ on the topics', async () => {
    const reached: string[] = [];
    const services = { replicaManager: replicaManager(reached), fetchManager: new FetchManager(new FetchSessionCache(10)) };
    const a = await authorizerWith([allow('User:broker', 'CLUSTER_ACTION', 'CLUSTER', 'kafka-cluster'), allow('User:alice', 'READ', 'TOPIC', '*')]);
    const broker = await call(fetchHandler, securedContext(a, 'broker', { metadataCache: cache(), apiVersion: 11, services }), fetchBody(2, ['orders']));
    expect(broker.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    const alice = await call(fetchHandler, securedContext(a, 'alice', { metadataCache: cache(), apiVersion: 11, services }), fetchBody(2, ['orders']));
    expect(alice.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(reached).toEqual(['fetch orders-0']);
  });
});

test('ListOffsets: DESCRIBE on the topic (READ implies it)', async () => {
  const a = await authorizerWith([allow('User:alice', 'READ', 'TOPIC', 'orders')]);
  const reached: string[] = [];
  const ctx = securedContext(a, 'alice', { metadataCache: cache(), apiVersion: 5, services: { replicaManager: replicaManager(reached) } });
  const res = await call(listOffsetsHandler, ctx, { replicaId: -1, isolationLevel: 0, topics: ['orders', 'payments'].map((name) => ({ name, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] })) });
  expect(res.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  expect(reached).toEqual(['offsets orders-0']);
});

test('DeleteRecords: DELETE on the topic', async () => {
  const a = await authorizerWith([allow('User:alice', 'DELETE', 'TOPIC', 'orders'), allow('User:alice', 'READ', 'TOPIC', 'payments')]);
  const reached: string[] = [];
  const ctx = securedContext(a, 'alice', { metadataCache: cache(), apiVersion: 1, services: { replicaManager: replicaManager(reached) } });
  const res = await call(deleteRecordsHandler, ctx, { timeoutMs: 1000, topics: ['orders', 'payments'].map((name) => ({ name, partitions: [{ partitionIndex: 0, offset: 3n }] })) });
  expect(res.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  expect(reached).toEqual(['delete orders-0']);
});

test('OffsetForLeaderEpoch: CLUSTER_ACTION lets every topic through; otherwise DESCRIBE per topic', async () => {
  const a = await authorizerWith([allow('User:broker', 'CLUSTER_ACTION', 'CLUSTER', 'kafka-cluster'), allow('User:alice', 'DESCRIBE', 'TOPIC', 'orders')]);
  const body = { replicaId: 2, topics: ['orders', 'payments'].map((topic) => ({ topic, partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] })) };
  const run = (user: string) => call(offsetForLeaderEpochHandler, securedContext(a, user, { metadataCache: cache(), apiVersion: 3, services: { replicaManager: replicaManager([]) } }), body);
  expect((await run('broker')).topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  expect((await run('alice')).topics.map((t) => t.partitions[0]!)).toEqual([
    { errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 0, endOffset: 7n },
    { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: 0, leaderEpoch: -1, endOffset: -1n },
  ]);
});

describe('Metadata', () => {
  function context(a: Awaited<ReturnType<typeof authorizerWith>>, user: string, apiVersion: number, created: string[] = []) {
    const autoTopicCreation = {
      createTopics: async (names: string[]) => {
        created.push(...names);
        return new Map(names.map((n) => [n, ErrorCode.LEADER_NOT_AVAILABLE]));
      },
    } as unknown as AutoTopicCreationManager;
    return securedContext(a, user, { metadataCache: cache(), apiVersion, services: { autoTopicCreation } });
  }

  test('all topics: those without DESCRIBE are left out silently', async () => {
    const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'TOPIC', 'orders'), allow('User:alice', 'WRITE', 'TOPIC', 'pay', 'PREFIXED')]);
    const res = await call(metadataHandler, context(a, 'alice', 9), { topics: null, allowAutoTopicCreation: false });
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['orders', ErrorCode.NONE], ['payments', ErrorCode.NONE]]);
    // v0: an empty list means all topics, hidden the same way
    const v0 = await call(metadataHandler, context(a, 'alice', 0), { topics: [] });
    expect(v0.topics.map((t) => t.name)).toEqual(['orders', 'payments']);
  });

  test('named topics without DESCRIBE: TOPIC_AUTHORIZATION_FAILED, whether or not they exist, never created', async () => {
    const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'TOPIC', 'orders'), allow('User:alice', 'CREATE', 'CLUSTER', 'kafka-cluster')]);
    const created: string[] = [];
    const res = await call(metadataHandler, context(a, 'alice', 9, created), { topics: ['orders', 'secret', 'nosuch'].map((name) => ({ name })), allowAutoTopicCreation: true });
    expect(res.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['orders', ErrorCode.NONE, 2],
      ['secret', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
      ['nosuch', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
    ]);
    expect(created).toEqual([]);
  });

  test('auto-creation needs CREATE on the cluster or on the topic; otherwise TOPIC_AUTHORIZATION_FAILED', async () => {
    const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'TOPIC', 'new', 'PREFIXED'), allow('User:alice', 'CREATE', 'TOPIC', 'new-ok')]);
    const created: string[] = [];
    const res = await call(metadataHandler, context(a, 'alice', 9, created), { topics: ['new-ok', 'new-no'].map((name) => ({ name })), allowAutoTopicCreation: true });
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['new-ok', ErrorCode.LEADER_NOT_AVAILABLE], ['new-no', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
    expect(created).toEqual(['new-ok']);

    const b = await authorizerWith([allow('User:bob', 'DESCRIBE', 'TOPIC', '*'), allow('User:bob', 'CREATE', 'CLUSTER', 'kafka-cluster')]);
    const createdByBob: string[] = [];
    const r2 = await call(metadataHandler, context(b, 'bob', 9, createdByBob), { topics: [{ name: 'anything' }], allowAutoTopicCreation: true });
    expect(r2.topics.map((t) => [t.name, t.errorCode])).toEqual([['anything', ErrorCode.LEADER_NOT_AVAILABLE]]);
    expect(createdByBob).toEqual(['anything']);
  });

  test('authorized operations: the bits of the topic operations allowed, and 0 for the cluster without DESCRIBE on it', async () => {
    const a = await authorizerWith([allow('User:alice', 'READ', 'TOPIC', 'orders'), allow('User:alice', 'WRITE', 'TOPIC', 'orders')]);
    const res = await call(metadataHandler, context(a, 'alice', 10), {
      topics: [{ name: 'orders' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true,
    });
    // READ (3), WRITE (4) and DESCRIBE (8, implied by them)
    expect(res.topics[0]!.topicAuthorizedOperations).toBe((1 << 3) | (1 << 4) | (1 << 8));
    expect(res.clusterAuthorizedOperations).toBe(0);

    const admin = await call(metadataHandler, context(a, 'admin', 10), { topics: [{ name: 'orders' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
    // super user: every operation each resource type supports
    expect(admin.topics[0]!.topicAuthorizedOperations).toBe([3, 4, 5, 6, 7, 8, 10, 11].reduce((b, o) => b | (1 << o), 0));
    expect(admin.clusterAuthorizedOperations).toBe([5, 7, 8, 9, 10, 11, 12].reduce((b, o) => b | (1 << o), 0));
  });
});
