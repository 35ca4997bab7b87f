// Authorization of the admin, inter-broker and transaction handlers against a real AclAuthorizer holding ACLs in
// memory, as Kafka 2.8's KafkaApis checks them (Describe/ListTransactions as Kafka 3.0): CreateTopics (CREATE cluster or
// topic, DESCRIBE_CONFIGS for the configs), DeleteTopics (DELETE), config APIs (DESCRIBE_CONFIGS/ALTER_CONFIGS on topic or
// cluster), CLUSTER_ACTION for the controller APIs, ALTER/DESCRIBE cluster for elections and reassignments, and the
// transactional-id, group and topic checks of InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit.
import { ErrorCode } from '../../../../src/protocol/errors';
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { ActiveController, ControllerGateway } from '../../../../src/server/ControllerGateway';
import type { ConfigRepository } from '../../../../src/server/ConfigRepository';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import type { GroupCoordinator } from '../../../../src/coordinator/GroupCoordinator';
import type { TransactionCoordinator } from '../../../../src/coordinator/transaction/TransactionCoordinator';
import type { BrokerServices } from '../../../../src/server/BrokerServices';
import type { AclAuthorizer } from '../../../../src/server/authorizer/AclAuthorizer';
import { createTopicsHandler } from '../../../../src/server/handlers/19-create-topics';
import { deleteTopicsHandler } from '../../../../src/server/handlers/20-delete-topics';
import { describeConfigsHandler } from '../../../../src/server/handlers/32-describe-configs';
import { alterConfigsHandler } from '../../../../src/server/handlers/33-alter-configs';
import { incrementalAlterConfigsHandler } from '../../../../src/server/handlers/44-incremental-alter-configs';
import { leaderAndIsrHandler } from '../../../../src/server/handlers/04-leader-and-isr';
import { stopReplicaHandler } from '../../../../src/server/handlers/05-stop-replica';
import { updateMetadataHandler } from '../../../../src/server/handlers/06-update-metadata';
import { controlledShutdownHandler } from '../../../../src/server/handlers/07-controlled-shutdown';
import { alterIsrHandler } from '../../../../src/server/handlers/56-alter-isr';
import { electLeadersHandler } from '../../../../src/server/handlers/43-elect-leaders';
import { alterPartitionReassignmentsHandler } from '../../../../src/server/handlers/45-alter-partition-reassignments';
import { listPartitionReassignmentsHandler } from '../../../../src/server/handlers/46-list-partition-reassignments';
import { initProducerIdHandler } from '../../../../src/server/handlers/22-init-producer-id';
import { addPartitionsToTxnHandler } from '../../../../src/server/handlers/24-add-partitions-to-txn';
import { addOffsetsToTxnHandler } from '../../../../src/server/handlers/25-add-offsets-to-txn';
import { endTxnHandler } from '../../../../src/server/handlers/26-end-txn';
import { txnOffsetCommitHandler } from '../../../../src/server/handlers/28-txn-offset-commit';
import { describeTransactionsHandler } from '../../../../src/server/handlers/65-describe-transactions';
import { listTransactionsHandler } from '../../../../src/server/handlers/66-list-transactions';
import { allow, authorizerWith, call, deny, securedContext } from './authzHelpers';

function cache(): MetadataCache {
  const c = new MetadataCache('c', 1);
  const part = (topic: string) => ({ topic, partition: 0, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 });
  c.applyUpdate(1, 1, null, [part('orders'), part('payments')], new Map([['orders', 'AAAAAAAAAAAAAAAAAAAAAQ'], ['payments', 'AAAAAAAAAAAAAAAAAAAAAg']]));
  return c;
}

/** Services recording what reached them, each answering success. */
function services(reached: string[]): Partial<BrokerServices> {
  const active: Partial<ActiveController> = {
    createTopics: async (topics) => topics.map((t) => {
      reached.push(`create ${t.name}`);
      return { name: t.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAw', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1 };
    }),
    deleteTopics: async (names) => names.map((name) => {
      reached.push(`delete ${name}`);
      return { name, errorCode: 0, errorMessage: null };
    }),
    electLeaders: async () => { reached.push('elect'); return []; },
    alterPartitionReassignments: async () => { reached.push('reassign'); return []; },
    listPartitionReassignments: async () => { reached.push('list reassignments'); return []; },
    controlledShutdown: async () => { reached.push('controlled shutdown'); return { errorCode: 0, remainingPartitions: [] }; },
    alterIsr: async () => { reached.push('alter isr'); return { throttleTimeMs: 0, errorCode: 0, topics: [] }; },
  };
  const configs = {
    resource: async (type: number, name: string) => ({ type, name }),
    describe: async (r: { name: string }) => { reached.push(`describe configs ${r.name}`); return []; },
    describeNewTopics: async (xs: unknown[]) => xs.map(() => []),
    current: async () => ({}),
    write: async (r: { name: string }) => { reached.push(`write configs ${r.name}`); },
  } as unknown as ConfigRepository;
  const replicaManager = {
    awaitRegistered: async () => undefined,
    becomeLeaderOrFollower: async () => { reached.push('leader and isr'); return { errorCode: 0, partitionErrors: [] }; },
    stopReplicas: async () => { reached.push('stop replica'); return { errorCode: 0, partitionErrors: [] }; },
    updateMetadata: () => { reached.push('update metadata'); return 0; },
  } as unknown as ReplicaManager;
  const transactionCoordinator = {
    handleInitProducerId: async (id: string) => { reached.push(`init ${id}`); return { errorCode: 0, producerId: 9n, producerEpoch: 0 }; },
    handleAddPartitionsToTransaction: async (id: string, _p: bigint, _e: number, partitions: string[]) => { reached.push(`add ${id} ${partitions.join(',')}`); return 0; },
    handleEndTransaction: async (id: string) => { reached.push(`end ${id}`); return 0; },
    handleDescribeTransactions: (id: string) => ({
      errorCode: 0, transactionalId: id, transactionState: 'Ongoing', transactionTimeoutMs: 60000, transactionStartTimeMs: 1n, producerId: 9n, producerEpoch: 0,
      topics: [{ topic: 'orders', partitions: [0] }, { topic: 'payments', partitions: [0] }],
    }),
    handleListTransactions: () => ({ errorCode: 0, unknownStateFilters: [], transactionStates: ['tx-a', 'tx-b'].map((transactionalId) => ({ transactionalId, producerId: 9n, transactionState: 'Ongoing' })) }),
  } as unknown as TransactionCoordinator;
  const groupCoordinator = {
    partitionFor: () => 3,
    commitTxnOffsets: async (p: { offsets: Array<{ topic: string }> }) => { reached.push(`txn commit ${p.offsets.map((o) => o.topic).join(',')}`); return p.offsets.map(() => 0); },
  } as unknown as GroupCoordinator;
  const producerIdManager = { generateProducerId: async () => { reached.push('new producer id'); return 7n; } } as unknown as BrokerServices['producerIdManager'];
  const controller: ControllerGateway = { active: () => active as ActiveController };
  return { controller, configs, replicaManager, transactionCoordinator, groupCoordinator, producerIdManager };
}

const ctxFor = (a: AclAuthorizer, user: string, apiVersion: number, reached: string[]) =>
  securedContext(a, user, { apiVersion, metadataCache: cache(), services: services(reached) });

describe('CreateTopics', () => {
  const body = (...names: string[]) => ({ topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 0 });

  test('CREATE on the topic without CREATE on the cluster; others answer TOPIC_AUTHORIZATION_FAILED and are not created', async () => {
    const a = await authorizerWith([allow('User:alice', 'CREATE', 'TOPIC', 'new-', 'PREFIXED'), allow('User:alice', 'DESCRIBE_CONFIGS', 'TOPIC', '*')]);
    const reached: string[] = [];
    const res = await call(createTopicsHandler, ctxFor(a, 'alice', 7, reached), body('new-a', 'other'));
    expect(res.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([['new-a', ErrorCode.REQUEST_TIMED_OUT, null], ['other', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.']]);
    expect(reached).toEqual(['create new-a']);
  });

  test('CREATE on the cluster covers every topic; without DESCRIBE_CONFIGS the configs and counts are withheld', async () => {
    const a = await authorizerWith([allow('User:alice', 'CREATE', 'CLUSTER', 'kafka-cluster'), allow('User:alice', 'DESCRIBE_CONFIGS', 'TOPIC', 'x')]);
    const reached: string[] = [];
    const res = await call(createTopicsHandler, ctxFor(a, 'alice', 7, reached), { ...body('x', 'y'), validateOnly: true });
    expect(res.topics.map((t) => [t.name, t.errorCode, t.topicConfigErrorCode, t.numPartitions])).toEqual([
      ['x', ErrorCode.NONE, ErrorCode.NONE, 1],
      ['y', ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1],
    ]);
    expect(reached).toEqual(['create x', 'create y']);
  });
});

test('DeleteTopics: DELETE on the topic; by id, without DESCRIBE the name is withheld', async () => {
  const a = await authorizerWith([allow('User:alice', 'DELETE', 'TOPIC', 'orders'), allow('User:bob', 'DESCRIBE', 'TOPIC', 'payments')]);
  const reached: string[] = [];
  const byName = await call(deleteTopicsHandler, ctxFor(a, 'alice', 5, reached), { topicNames: ['orders', 'payments'], timeoutMs: 1000 });
  expect(byName.responses.map((r) => [r.name, r.errorCode])).toEqual([['orders', ErrorCode.NONE], ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  const byId = await call(deleteTopicsHandler, ctxFor(a, 'bob', 6, reached), { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }], timeoutMs: 1000 });
  expect(byId.responses.map((r) => [r.name, r.errorCode])).toEqual([[null, ErrorCode.TOPIC_AUTHORIZATION_FAILED], ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  expect(reached).toEqual(['delete orders']);
});

test('config APIs: DESCRIBE_CONFIGS / ALTER_CONFIGS on the topic, or on the cluster for brokers', async () => {
  const a = await authorizerWith([allow('User:alice', 'ALTER_CONFIGS', 'TOPIC', 'orders'), allow('User:alice', 'DESCRIBE_CONFIGS', 'CLUSTER', 'kafka-cluster')]);
  const reached: string[] = [];
  const resources = [{ resourceType: 2, resourceName: 'orders' }, { resourceType: 2, resourceName: 'payments' }, { resourceType: 4, resourceName: '1' }];
  const described = await call(describeConfigsHandler, ctxFor(a, 'alice', 4, reached), { resources: resources.map((r) => ({ ...r, configurationKeys: null })) });
  expect(described.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
    ['orders', ErrorCode.NONE, null], // ALTER_CONFIGS implies DESCRIBE_CONFIGS
    ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.'],
    ['1', ErrorCode.NONE, null],
  ]);
  const altered = await call(alterConfigsHandler, ctxFor(a, 'alice', 1, reached), { resources: resources.map((r) => ({ ...r, configs: [] })), validateOnly: false });
  expect(altered.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
    ['orders', ErrorCode.NONE, null], ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED, null], ['1', ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null],
  ]);
  const incremental = await call(incrementalAlterConfigsHandler, ctxFor(a, 'alice', 1, reached), { resources: resources.map((r) => ({ ...r, configs: [] })), validateOnly: false });
  expect(incremental.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
  expect(reached).toEqual(['describe configs orders', 'describe configs 1', 'write configs orders', 'write configs orders']);
});

test('controller and inter-broker APIs need CLUSTER_ACTION: refused whole with CLUSTER_AUTHORIZATION_FAILED', async () => {
  const a = await authorizerWith([allow('User:broker', 'CLUSTER_ACTION', 'CLUSTER', 'kafka-cluster')]);
  const calls = (user: string, reached: string[]) => [
    call(leaderAndIsrHandler, ctxFor(a, user, 4, reached), { controllerId: 1, controllerEpoch: 1, brokerEpoch: 1n, topicStates: [], liveLeaders: [] }),
    call(stopReplicaHandler, ctxFor(a, user, 3, reached), { controllerId: 1, controllerEpoch: 1, brokerEpoch: 1n, topicStates: [] }),
    call(updateMetadataHandler, ctxFor(a, user, 7, reached), { controllerId: 1, controllerEpoch: 1, brokerEpoch: 1n, topicStates: [], liveBrokers: [] }),
    call(controlledShutdownHandler, ctxFor(a, user, 3, reached), { brokerId: 2, brokerEpoch: 1n }),
    call(alterIsrHandler, ctxFor(a, user, 0, reached), { brokerId: 2, brokerEpoch: 1n, topics: [] }),
  ];
  const refused: string[] = [];
  expect((await Promise.all(calls('alice', refused))).map((r) => r.errorCode)).toEqual(Array(5).fill(ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
  expect(refused).toEqual([]);
  const reached: string[] = [];
  expect((await Promise.all(calls('broker', reached))).map((r) => r.errorCode)).toEqual(Array(5).fill(ErrorCode.NONE));
  expect(reached.sort()).toEqual(['alter isr', 'controlled shutdown', 'leader and isr', 'stop replica', 'update metadata']);
});

test('ElectLeaders and AlterPartitionReassignments need ALTER on the cluster, ListPartitionReassignments DESCRIBE', async () => {
  const a = await authorizerWith([allow('User:ops', 'ALTER', 'CLUSTER', 'kafka-cluster'), allow('User:viewer', 'DESCRIBE', 'CLUSTER', 'kafka-cluster')]);
  const reached: string[] = [];
  const elect = (user: string) => call(electLeadersHandler, ctxFor(a, user, 1, reached), { electionType: 0, topicPartitions: [{ topic: 'orders', partitionId: [0] }], timeoutMs: 1000 });
  expect(await elect('viewer')).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [
    { topic: 'orders', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null }] },
  ] });
  expect(await elect('ops')).toMatchObject({ errorCode: ErrorCode.NONE });
  const reassign = (user: string) => call(alterPartitionReassignmentsHandler, ctxFor(a, user, 0, reached), { timeoutMs: 1000, topics: [] });
  expect(await reassign('viewer')).toMatchObject({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
  expect(await reassign('ops')).toMatchObject({ errorCode: ErrorCode.NONE });
  const list = (user: string) => call(listPartitionReassignmentsHandler, ctxFor(a, user, 0, reached), { timeoutMs: 1000, topics: null });
  expect(await list('eve')).toMatchObject({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
  expect(await list('viewer')).toMatchObject({ errorCode: ErrorCode.NONE });
  expect(reached).toEqual(['elect', 'reassign', 'list reassignments']);
});

describe('InitProducerId', () => {
  test('with a transactional id: WRITE on it, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    const a = await authorizerWith([allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx-', 'PREFIXED')]);
    const reached: string[] = [];
    const init = (transactionalId: string) => call(initProducerIdHandler, ctxFor(a, 'alice', 4, reached), { transactionalId, transactionTimeoutMs: 60000 });
    expect(await init('tx-1')).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 9n });
    expect(await init('other')).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n });
    expect(reached).toEqual(['init tx-1']);
  });

  test('idempotent: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic not denied; else CLUSTER_AUTHORIZATION_FAILED', async () => {
    const a = await authorizerWith([
      allow('User:cluster', 'IDEMPOTENT_WRITE', 'CLUSTER', 'kafka-cluster'),
      allow('User:writer', 'WRITE', 'TOPIC', 'orders'),
      allow('User:prefix', 'WRITE', 'TOPIC', 'ord', 'PREFIXED'),
      allow('User:shadowed', 'WRITE', 'TOPIC', 'orders'), deny('User:shadowed', 'WRITE', 'TOPIC', 'or', 'PREFIXED'),
      allow('User:reader', 'READ', 'TOPIC', 'orders'),
    ]);
    const results: Array<[string, number]> = [];
    for (const user of ['cluster', 'writer', 'prefix', 'shadowed', 'reader']) {
      const r = await call(initProducerIdHandler, ctxFor(a, user, 4, []), { transactionalId: null, transactionTimeoutMs: 60000 });
      results.push([user, r.errorCode]);
    }
    expect(results).toEqual([['cluster', 0], ['writer', 0], ['prefix', 0], ['shadowed', ErrorCode.CLUSTER_AUTHORIZATION_FAILED], ['reader', ErrorCode.CLUSTER_AUTHORIZATION_FAILED]]);
  });
});

test('AddPartitionsToTxn: WRITE on the transactional id, then WRITE per topic (the rest OPERATION_NOT_ATTEMPTED)', async () => {
  const a = await authorizerWith([allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx'), allow('User:alice', 'WRITE', 'TOPIC', 'orders')]);
  const reached: string[] = [];
  const add = (transactionalId: string, topics: string[]) => call(addPartitionsToTxnHandler, ctxFor(a, 'alice', 1, reached), { transactionalId, producerId: 9n, producerEpoch: 0, topics: topics.map((name) => ({ name, partitions: [0] })) });
  const errors = async (p: ReturnType<typeof add>) => (await p).results.map((t) => [t.name, t.results[0]!.errorCode]);
  expect(await errors(add('tx', ['orders', 'payments']))).toEqual([['orders', ErrorCode.OPERATION_NOT_ATTEMPTED], ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  expect(await errors(add('other', ['orders']))).toEqual([['orders', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]]);
  expect(await errors(add('tx', ['orders']))).toEqual([['orders', ErrorCode.NONE]]);
  expect(reached).toEqual(['add tx orders-0']);
});

test('AddOffsetsToTxn: WRITE on the transactional id, then READ on the group; EndTxn: WRITE on the transactional id', async () => {
  const a = await authorizerWith([allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx'), allow('User:alice', 'READ', 'GROUP', 'app')]);
  const reached: string[] = [];
  const addOffsets = (transactionalId: string, groupId: string) => call(addOffsetsToTxnHandler, ctxFor(a, 'alice', 1, reached), { transactionalId, producerId: 9n, producerEpoch: 0, groupId });
  expect((await addOffsets('other', 'other')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  expect((await addOffsets('tx', 'other')).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  expect((await addOffsets('tx', 'app')).errorCode).toBe(ErrorCode.NONE);
  const end = (transactionalId: string) => call(endTxnHandler, ctxFor(a, 'alice', 1, reached), { transactionalId, producerId: 9n, producerEpoch: 0, committed: true });
  expect((await end('other')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  expect((await end('tx')).errorCode).toBe(ErrorCode.NONE);
  expect(reached).toEqual(['add tx __consumer_offsets-3', 'end tx']);
});

test('TxnOffsetCommit: WRITE on the transactional id, READ on the group, READ per topic', async () => {
  const a = await authorizerWith([allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx'), allow('User:alice', 'READ', 'GROUP', 'app'), allow('User:alice', 'READ', 'TOPIC', 'orders')]);
  const reached: string[] = [];
  const commit = async (transactionalId: string, groupId: string) => (await call(txnOffsetCommitHandler, ctxFor(a, 'alice', 3, reached), {
    transactionalId, groupId, producerId: 9n, producerEpoch: 0, topics: ['orders', 'payments'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n }] })),
  })).topics.map((t) => t.partitions[0]!.errorCode);
  expect(await commit('other', 'app')).toEqual([ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);
  expect(await commit('tx', 'other')).toEqual([ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
  expect(await commit('tx', 'app')).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  expect(reached).toEqual(['txn commit orders']);
});

test('DescribeTransactions: DESCRIBE per transactional id, topics filtered by DESCRIBE; ListTransactions filtered', async () => {
  const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'TRANSACTIONAL_ID', 'tx-a'), allow('User:alice', 'DESCRIBE', 'TOPIC', 'orders')]);
  const described = await call(describeTransactionsHandler, ctxFor(a, 'alice', 0, []), { transactionalIds: ['tx-a', 'tx-b'] });
  expect(described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.topics.map((t) => t.topic)])).toEqual([
    ['tx-a', ErrorCode.NONE, ['orders']],
    ['tx-b', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, []],
  ]);
  const listed = await call(listTransactionsHandler, ctxFor(a, 'alice', 0, []), { stateFilters: [], producerIdFilters: [] });
  expect(listed.transactionStates.map((s) => s.transactionalId)).toEqual(['tx-a']);
});
