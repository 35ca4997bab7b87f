// Authorization of the consumer-group handlers against a real AclAuthorizer holding ACLs in memory, as Kafka 2.8's
// KafkaApis checks them: READ on the group for OffsetCommit/JoinGroup/SyncGroup/Heartbeat/LeaveGroup (and READ on each
// topic for commits), DESCRIBE on the group (and topics) for OffsetFetch, DescribeGroups and FindCoordinator, DESCRIBE on
// the cluster or per group for ListGroups, DELETE on the group for DeleteGroups and OffsetDelete.
import { ErrorCode } from '../../../../src/protocol/errors';
import { MetadataCache } from '../../../../src/server/MetadataCache';
import type { GroupCoordinator } from '../../../../src/coordinator/GroupCoordinator';
import { offsetCommitHandler } from '../../../../src/server/handlers/08-offset-commit';
import { offsetFetchHandler } from '../../../../src/server/handlers/09-offset-fetch';
import { findCoordinatorHandler } from '../../../../src/server/handlers/10-find-coordinator';
import { joinGroupHandler } from '../../../../src/server/handlers/11-join-group';
import { heartbeatHandler } from '../../../../src/server/handlers/12-heartbeat';
import { leaveGroupHandler } from '../../../../src/server/handlers/13-leave-group';
import { syncGroupHandler } from '../../../../src/server/handlers/14-sync-group';
import { describeGroupsHandler } from '../../../../src/server/handlers/15-describe-groups';
import { listGroupsHandler } from '../../../../src/server/handlers/16-list-groups';
import { deleteGroupsHandler } from '../../../../src/server/handlers/42-delete-groups';
import { offsetDeleteHandler } from '../../../../src/server/handlers/47-offset-delete';
import { OFFSETS_TOPIC } from '../../../../src/coordinator/javaHash';
import type { AclAuthorizer } from '../../../../src/server/authorizer/AclAuthorizer';
import { allow, authorizerWith, call, securedContext } from './authzHelpers';

function cache(): MetadataCache {
  const c = new MetadataCache('c', 1);
  c.setBrokers([{ id: 1, rack: null, epoch: 1n, endpoints: new Map([['PLAINTEXT', { host: '127.0.0.1', port: 9092 }]]) }], 1);
  const part = (topic: string, partition: number) => ({ topic, partition, leader: 1, leaderEpoch: 0, isr: [1], replicas: [1], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1 });
  c.applyUpdate(1, 1, null, [part('orders', 0), part('payments', 0), part(OFFSETS_TOPIC, 0)]);
  return c;
}

/** A GroupCoordinator double: answers success and records which calls reached it. */
function coordinator(reached: string[]): GroupCoordinator {
  return {
    partitionFor: () => 0,
    ensureOffsetsTopic: async () => undefined,
    commitOffsets: async (p: { offsets: Array<{ topic: string; partition: number }> }) => {
      reached.push(`commit ${p.offsets.map((o) => o.topic).join(',')}`);
      return p.offsets.map(() => ErrorCode.NONE);
    },
    fetchOffsets: (groupId: string, wanted: Array<{ topic: string; partition: number }> | null) => {
      reached.push(`fetch ${groupId} ${wanted === null ? '*' : wanted.map((w) => w.topic).join(',')}`);
      const all = wanted ?? [{ topic: 'orders', partition: 0 }, { topic: 'payments', partition: 0 }];
      return { errorCode: ErrorCode.NONE, offsets: all.map((w) => ({ ...w, offset: 5n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE })) };
    },
    joinGroup: async () => {
      reached.push('join');
      return { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leaderId: 'm', skipAssignment: false, memberId: 'm', members: [] };
    },
    syncGroup: async () => {
      reached.push('sync');
      return { errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.alloc(0) };
    },
    heartbeat: () => { reached.push('heartbeat'); return ErrorCode.NONE; },
    leaveGroup: () => { reached.push('leave'); return { errorCode: ErrorCode.NONE, members: [] }; },
    describeGroup: (g: string) => {
      reached.push(`describe ${g}`);
      return { errorCode: ErrorCode.NONE, state: 'Stable', protocolType: 'consumer', protocolData: 'range', members: [] };
    },
    listGroups: () => ({ errorCode: ErrorCode.NONE, groups: ['app-1', 'app-2', 'other'].map((groupId) => ({ groupId, protocolType: 'consumer', state: 'Stable' })) }),
    deleteGroups: async (gs: string[]) => {
      reached.push(`delete ${gs.join(',')}`);
      return new Map(gs.map((g) => [g, ErrorCode.NONE]));
    },
    deleteOffsets: async (g: string, tps: Array<{ topic: string }>) => {
      reached.push(`deleteOffsets ${g} ${tps.map((t) => t.topic).join(',')}`);
      return { errorCode: ErrorCode.NONE, results: tps.map(() => ErrorCode.NONE) };
    },
  } as unknown as GroupCoordinator;
}

function ctxFor(a: AclAuthorizer, user: string, apiVersion: number, reached: string[]) {
  return securedContext(a, user, { apiVersion, metadataCache: cache(), services: { groupCoordinator: coordinator(reached) } });
}

test('OffsetCommit: READ on the group first (every partition refused without it), then READ on each topic', async () => {
  const a = await authorizerWith([allow('User:alice', 'READ', 'GROUP', 'app'), allow('User:alice', 'READ', 'TOPIC', 'orders')]);
  const reached: string[] = [];
  const body = (groupId: string) => ({ groupId, generationId: 1, memberId: 'm', topics: ['orders', 'payments'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 5n }] })) });
  const ok = await call(offsetCommitHandler, ctxFor(a, 'alice', 8, reached), body('app'));
  expect(ok.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  const denied = await call(offsetCommitHandler, ctxFor(a, 'alice', 8, reached), body('other'));
  expect(denied.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
  expect(reached).toEqual(['commit orders']);
});

describe('OffsetFetch', () => {
  test('DESCRIBE on the group: v2+ answer a top-level error, v0-1 one per partition', async () => {
    const a = await authorizerWith([allow('User:alice', 'READ', 'TOPIC', '*')]);
    const reached: string[] = [];
    const topics = [{ name: 'orders', partitionIndexes: [0] }];
    expect(await call(offsetFetchHandler, ctxFor(a, 'alice', 5, reached), { groupId: 'app', topics })).toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] });
    const v1 = await call(offsetFetchHandler, ctxFor(a, 'alice', 1, reached), { groupId: 'app', topics });
    expect(v1.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const v8 = await call(offsetFetchHandler, ctxFor(a, 'alice', 8, reached), { groups: [{ groupId: 'app', topics }] });
    expect(v8.groups).toEqual([{ groupId: 'app', topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }]);
    expect(reached).toEqual([]);
  });

  test('asked-for partitions of topics without DESCRIBE answer TOPIC_AUTHORIZATION_FAILED; all-partitions leaves them out', async () => {
    const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'GROUP', 'app'), allow('User:alice', 'DESCRIBE', 'TOPIC', 'orders')]);
    const reached: string[] = [];
    const named = await call(offsetFetchHandler, ctxFor(a, 'alice', 5, reached), { groupId: 'app', topics: ['orders', 'payments'].map((name) => ({ name, partitionIndexes: [0] })) });
    expect(named.topics.map((t) => [t.name, t.partitions[0]!.errorCode, t.partitions[0]!.committedOffset])).toEqual([
      ['orders', ErrorCode.NONE, 5n],
      ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1n],
    ]);
    const all = await call(offsetFetchHandler, ctxFor(a, 'alice', 5, reached), { groupId: 'app', topics: null });
    expect(all.topics.map((t) => t.name)).toEqual(['orders']);
    expect(reached).toEqual(['fetch app orders', 'fetch app *']);
  });
});

test('JoinGroup, SyncGroup, Heartbeat and LeaveGroup need READ on the group', async () => {
  const a = await authorizerWith([allow('User:alice', 'READ', 'GROUP', 'app', 'PREFIXED')]);
  const reached: string[] = [];
  const join = (groupId: string) => call(joinGroupHandler, ctxFor(a, 'alice', 7, reached), { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
  expect(await join('app-1')).toMatchObject({ errorCode: ErrorCode.NONE });
  expect(await join('other')).toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, memberId: '', leader: '', protocolName: null, members: [] });
  const sync = (groupId: string) => call(syncGroupHandler, ctxFor(a, 'alice', 5, reached), { groupId, generationId: 1, memberId: 'm', protocolType: 'consumer', protocolName: 'range', assignments: [] });
  expect(await sync('app-1')).toMatchObject({ errorCode: ErrorCode.NONE });
  expect(await sync('other')).toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
  const hb = (groupId: string) => call(heartbeatHandler, ctxFor(a, 'alice', 4, reached), { groupId, generationId: 1, memberId: 'm' });
  expect(await hb('app-1')).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
  expect(await hb('other')).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
  const leave = (groupId: string) => call(leaveGroupHandler, ctxFor(a, 'alice', 4, reached), { groupId, members: [{ memberId: 'm' }] });
  expect(await leave('app-1')).toMatchObject({ errorCode: ErrorCode.NONE });
  expect(await leave('other')).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] });
  expect(reached).toEqual(['join', 'sync', 'heartbeat', 'leave']);
});

test('DescribeGroups: DESCRIBE per group, and the authorized operations of the described ones', async () => {
  const a = await authorizerWith([allow('User:alice', 'READ', 'GROUP', 'app')]);
  const reached: string[] = [];
  const res = await call(describeGroupsHandler, ctxFor(a, 'alice', 5, reached), { groups: ['app', 'other'], includeAuthorizedOperations: true });
  expect(res.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations])).toEqual([
    ['app', ErrorCode.NONE, (1 << 3) | (1 << 8)], // READ, and DESCRIBE that READ implies
    ['other', ErrorCode.GROUP_AUTHORIZATION_FAILED, -2147483648],
  ]);
  expect(reached).toEqual(['describe app']);
});

test('ListGroups: every group with DESCRIBE on the cluster, otherwise those the caller may DESCRIBE', async () => {
  const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'GROUP', 'app-', 'PREFIXED'), allow('User:ops', 'DESCRIBE', 'CLUSTER', 'kafka-cluster')]);
  const list = async (user: string) => (await call(listGroupsHandler, ctxFor(a, user, 4, []), {})).groups.map((g) => g.groupId);
  expect(await list('alice')).toEqual(['app-1', 'app-2']);
  expect(await list('ops')).toEqual(['app-1', 'app-2', 'other']);
  expect(await list('eve')).toEqual([]);
});

test('DeleteGroups: DELETE per group; refused groups never reach the coordinator', async () => {
  const a = await authorizerWith([allow('User:alice', 'DELETE', 'GROUP', 'app')]);
  const reached: string[] = [];
  const res = await call(deleteGroupsHandler, ctxFor(a, 'alice', 2, reached), { groupsNames: ['app', 'other'] });
  expect(res.results).toEqual([{ groupId: 'app', errorCode: ErrorCode.NONE }, { groupId: 'other', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }]);
  expect(reached).toEqual(['delete app']);
});

test('OffsetDelete: DELETE on the group, then READ per topic', async () => {
  const a = await authorizerWith([allow('User:alice', 'DELETE', 'GROUP', 'app'), allow('User:alice', 'READ', 'TOPIC', 'orders')]);
  const reached: string[] = [];
  const body = (groupId: string) => ({ groupId, topics: ['orders', 'payments'].map((name) => ({ name, partitions: [{ partitionIndex: 0 }] })) });
  const ok = await call(offsetDeleteHandler, ctxFor(a, 'alice', 0, reached), body('app'));
  expect(ok.topics.map((t) => [t.name, t.partitions[0]!.errorCode])).toEqual([['orders', ErrorCode.NONE], ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  expect(await call(offsetDeleteHandler, ctxFor(a, 'alice', 0, reached), body('other'))).toEqual({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] });
  expect(reached).toEqual(['deleteOffsets app orders']);
});

test('FindCoordinator: DESCRIBE on the group or the transactional id; v4 answers each key on its own', async () => {
  const a = await authorizerWith([allow('User:alice', 'DESCRIBE', 'GROUP', 'app'), allow('User:alice', 'WRITE', 'TRANSACTIONAL_ID', 'tx')]);
  const ctx = (v: number) => ctxFor(a, 'alice', v, []);
  expect(await call(findCoordinatorHandler, ctx(3), { key: 'app', keyType: 0 })).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1 });
  expect(await call(findCoordinatorHandler, ctx(3), { key: 'other', keyType: 0 })).toMatchObject({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, nodeId: -1, errorMessage: 'Group authorization failed.' });
  expect(await call(findCoordinatorHandler, ctx(3), { key: 'tx2', keyType: 1 })).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
  const v4 = await call(findCoordinatorHandler, ctx(4), { keyType: 0, coordinatorKeys: ['app', 'other'] });
  expect(v4.coordinators.map((c) => [c.key, c.errorCode])).toEqual([['app', ErrorCode.NONE], ['other', ErrorCode.GROUP_AUTHORIZATION_FAILED]]);
});
