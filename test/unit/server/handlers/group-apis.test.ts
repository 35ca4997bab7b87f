// The consumer-group handlers at the versions Kafka 3.x serves (ZooKeeper mode), over a real GroupCoordinator on a
// fake clock: batched FindCoordinator and OffsetFetch, JoinGroup skipAssignment, SyncGroup's mandatory protocol,
// batched LeaveGroup, ListGroups' states filter, DescribeGroups' authorized operations, DeleteGroups.
import { ErrorCode } from '../../../../src/protocol/errors';
import type { ApiDef, RequestInput, ResponseOf } from '../../../../src/protocol/schema';
import { decodeRequest, encodeRequest, readRequestHeader } from '../../../../src/protocol/codec';
import { MetadataCache, type CachedPartition } from '../../../../src/server/MetadataCache';
import type { Handler, RequestContext } from '../../../../src/server/handlers/types';
import { findCoordinatorHandler } from '../../../../src/server/handlers/10-find-coordinator';
import { offsetFetchHandler } from '../../../../src/server/handlers/09-offset-fetch';
import { joinGroupHandler } from '../../../../src/server/handlers/11-join-group';
import { syncGroupHandler } from '../../../../src/server/handlers/14-sync-group';
import { leaveGroupHandler } from '../../../../src/server/handlers/13-leave-group';
import { listGroupsHandler } from '../../../../src/server/handlers/16-list-groups';
import { describeGroupsHandler } from '../../../../src/server/handlers/15-describe-groups';
import { deleteGroupsHandler } from '../../../../src/server/handlers/42-delete-groups';
import { OFFSETS_TOPIC } from '../../../../src/coordinator/javaHash';
import type { JoinGroupParams } from '../../../../src/coordinator/GroupCoordinator';
import { startCoordinator, subscription, type Harness } from '../../coordinator/helpers';
import { requestContext } from '../helpers';

const PARTITIONS = 5; // the coordinator helpers' offsets.topic.num.partitions

function context(h: Harness, apiVersion: number, cache = new MetadataCache('c', 1)): RequestContext {
  const base = requestContext({ apiVersion, metadataCache: cache, services: { groupCoordinator: h.gc } });
  return { ...base, connection: { listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1' } as RequestContext['connection'] };
}

/** Sends `body` through the codec at `version` (so absent fields take their defaults) and runs the handler. */
async function call<A extends ApiDef>(handler: Handler<A>, ctx: RequestContext, body: RequestInput<A>): Promise<ResponseOf<A>> {
  const frame = encodeRequest(handler.api, ctx.apiVersion, { correlationId: 1, clientId: 'test' }, body).subarray(4);
  const req = decodeRequest(handler.api, ctx.apiVersion, frame, readRequestHeader(frame).bodyOffset);
  const r = await handler.handle(req, ctx);
  if ('noResponse' in r) throw new Error('group APIs always answer');
  return r;
}

/** Group ids whose offsets partitions differ, so one can be unloaded without the others. */
function groupsOnDistinctPartitions(h: Harness, n: number): string[] {
  const out: string[] = [];
  const used = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const g = `group-${i}`;
    if (used.has(h.gc.partitionFor(g))) continue;
    used.add(h.gc.partitionFor(g));
    out.push(g);
  }
  return out;
}

const join = (groupId: string, extra: Partial<JoinGroupParams> = {}): JoinGroupParams => ({
  groupId, memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'client', clientHost: '/127.0.0.1',
  rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }], ...extra,
});

/** A Stable group of static members i1..in (the first to join leads). */
async function staticGroup(h: Harness, groupId: string, n: number): Promise<{ memberId: string; instanceId: string }[]> {
  const joins = Array.from({ length: n }, (_, i) => h.gc.joinGroup(join(groupId, { groupInstanceId: `i${i + 1}` })));
  await h.scheduler.advance(0);
  const rs = await Promise.all(joins);
  await Promise.all(rs.map((r, i) => h.gc.syncGroup({ groupId, generationId: r.generationId, memberId: r.memberId, groupInstanceId: `i${i + 1}`, protocolType: null, protocolName: null,
    assignments: r.memberId === r.leaderId ? rs.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(m.memberId) })) : [] })));
  return rs.map((r, i) => ({ memberId: r.memberId, instanceId: `i${i + 1}` }));
}

describe('FindCoordinator v4 (KIP-699)', () => {
  test('each key answered on its own: a coordinator, or COORDINATOR_NOT_AVAILABLE for a partition without a leader', async () => {
    const h = await startCoordinator();
    const [ok, leaderless] = groupsOnDistinctPartitions(h, 2) as [string, string];
    const cache = new MetadataCache('c', 1);
    const partitions: CachedPartition[] = Array.from({ length: PARTITIONS }, (_, p) => ({
      topic: OFFSETS_TOPIC, partition: p, leader: p === h.gc.partitionFor(leaderless) ? -1 : 2, leaderEpoch: 0, isr: [2], replicas: [2], offlineReplicas: [], zkVersion: 0, controllerEpoch: 1,
    }));
    cache.applyUpdate(1, 1, [{ id: 2, rack: null, endpoints: new Map([['PLAINTEXT', { host: 'b2', port: 9093 }]]), epoch: 1n }], partitions);

    const r = await call(findCoordinatorHandler, context(h, 4, cache), { keyType: 0, coordinatorKeys: [ok, leaderless] });
    expect(r.coordinators).toEqual([
      { key: ok, nodeId: 2, host: 'b2', port: 9093, errorCode: ErrorCode.NONE, errorMessage: null },
      { key: leaderless, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null },
    ]);
    // v3 still answers one key in the top-level fields, with Kafka's message on an error.
    expect(await call(findCoordinatorHandler, context(h, 3, cache), { key: ok, keyType: 0 })).toMatchObject({ errorCode: 0, nodeId: 2, host: 'b2', port: 9093, errorMessage: null, coordinators: [] });
    expect((await call(findCoordinatorHandler, context(h, 3, cache), { key: leaderless, keyType: 0 })).errorMessage).toMatch(/coordinator is not available/i);
  });

  test('unknown key types refused with INVALID_REQUEST, on every key; no offsets topic yet: every key waits', async () => {
    const h = await startCoordinator();
    const unknownType = await call(findCoordinatorHandler, context(h, 4), { keyType: 7, coordinatorKeys: ['x'] });
    expect(unknownType.coordinators[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown coordinator type received: 7' });
    const noTopic = await call(findCoordinatorHandler, context(h, 4), { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(noTopic.coordinators.map((c) => c.errorCode)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    expect((await call(findCoordinatorHandler, context(h, 4), { keyType: 0, coordinatorKeys: [] })).coordinators).toEqual([]);
  });
});

describe('OffsetFetch v8 (KIP-709)', () => {
  test('several groups in one request, each with its offsets or its own error', async () => {
    const h = await startCoordinator();
    const [g1, g2, moved] = groupsOnDistinctPartitions(h, 3) as [string, string, string];
    const commit = (groupId: string, partition: number, offset: bigint) => h.gc.commitOffsets({ groupId, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition, offset, leaderEpoch: 3, metadata: 'm' }] });
    await commit(g1, 0, 10n);
    await commit(g2, 1, 20n);
    h.gc.onBecomeFollower(h.gc.partitionFor(moved));

    const r = await call(offsetFetchHandler, context(h, 8), { groups: [
      { groupId: g1, topics: [{ name: 't', partitionIndexes: [0, 5] }] },
      { groupId: g2, topics: null },
      { groupId: moved, topics: null },
      { groupId: 'never-seen', topics: [{ name: 't', partitionIndexes: [0] }] },
    ], requireStable: true });
    const none = { committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 };
    expect(r.groups).toEqual([
      { groupId: g1, errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: 3, metadata: 'm', errorCode: 0 }, { partitionIndex: 5, ...none }] }] },
      { groupId: g2, errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 20n, committedLeaderEpoch: 3, metadata: 'm', errorCode: 0 }] }] },
      { groupId: moved, errorCode: ErrorCode.NOT_COORDINATOR, topics: [] },
      { groupId: 'never-seen', errorCode: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, ...none }] }] },
    ]);
    expect(r.topics).toEqual([]);
    // The single-group versions answer as before: v7 with a group-level error, v1 with it on every partition.
    expect(await call(offsetFetchHandler, context(h, 7), { groupId: moved, topics: null })).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, topics: [] });
    expect((await call(offsetFetchHandler, context(h, 1), { groupId: moved, topics: [{ name: 't', partitionIndexes: [0] }] })).topics)
      .toEqual([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NOT_COORDINATOR }] }]);
  });
});

describe('JoinGroup v8/v9', () => {
  test('v9: a static leader rejoining a Stable group learns it leads, with the members, and skips the assignment', async () => {
    const h = await startCoordinator();
    const [leader, follower] = await staticGroup(h, 'gs', 2) as [{ memberId: string; instanceId: string }, { memberId: string; instanceId: string }];
    const body = { groupId: 'gs', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: leader.instanceId, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['t']) }], reason: 'restarted' };
    const r = await call(joinGroupHandler, context(h, 9), body);
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', skipAssignment: true });
    expect(r.leader).toBe(r.memberId);
    expect(r.memberId).not.toBe(leader.memberId);
    expect(r.members.map((m) => m.groupInstanceId).sort()).toEqual(['i1', 'i2']);
    expect(h.gc.describeGroup('gs').state).toBe('Stable');

    // v8 (and older): the leader rejoining gets the old leader id back and no members, so it does not assign.
    const r8 = await call(joinGroupHandler, context(h, 8), body);
    expect(r8).toMatchObject({ errorCode: 0, generationId: 1, leader: r.memberId, members: [] });
    expect(r8.memberId).not.toBe(r.memberId);
    // A follower rejoining at v9 is not told to skip anything: it is not the leader.
    const f = await call(joinGroupHandler, context(h, 9), { ...body, groupInstanceId: follower.instanceId });
    expect(f).toMatchObject({ errorCode: 0, skipAssignment: false, members: [] });
    expect(f.leader).toBe(r8.memberId);
  });

  test('a dynamic join at v9 rebalances as before (skipAssignment false); errors keep a null protocol name from v7', async () => {
    const h = await startCoordinator();
    const body = { groupId: 'gd', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['t']) }], reason: null };
    const first = await call(joinGroupHandler, context(h, 9), body);
    expect(first).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, protocolName: null, skipAssignment: false });
    const second = call(joinGroupHandler, context(h, 9), { ...body, memberId: first.memberId });
    await h.scheduler.advance(0);
    expect(await second).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, skipAssignment: false });
    expect((await call(joinGroupHandler, context(h, 5), { ...body, sessionTimeoutMs: 1 })).protocolName).toBe('');
  });
});

describe('SyncGroup v5 (KIP-559)', () => {
  test('protocol type and name are mandatory and must match the group\'s: INCONSISTENT_GROUP_PROTOCOL otherwise', async () => {
    const h = await startCoordinator();
    const joined = h.gc.joinGroup(join('gp'));
    await h.scheduler.advance(0);
    const j = await joined;
    const sync = { groupId: 'gp', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment: Buffer.from('A') }] };
    const v5 = context(h, 5);
    expect(await call(syncGroupHandler, v5, { ...sync, protocolType: null, protocolName: 'range' }))
      .toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null });
    expect(await call(syncGroupHandler, v5, { ...sync, protocolType: 'consumer', protocolName: null })).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    expect(await call(syncGroupHandler, v5, { ...sync, protocolType: 'connect', protocolName: 'range' })).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    expect(await call(syncGroupHandler, v5, { ...sync, protocolType: 'consumer', protocolName: 'roundrobin' })).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    const ok = await call(syncGroupHandler, v5, { ...sync, protocolType: 'consumer', protocolName: 'range' });
    expect(ok).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(ok.assignment.toString()).toBe('A');
    // Before v5 the fields do not exist, so nothing is checked.
    expect((await call(syncGroupHandler, context(h, 4), sync)).errorCode).toBe(0);
  });
});

describe('LeaveGroup v3-5', () => {
  test('a batch: a member by its id, an unknown one, a fenced instance, a static member by instance id alone', async () => {
    const h = await startCoordinator();
    const [s1, s2] = await staticGroup(h, 'gl', 2) as [{ memberId: string; instanceId: string }, { memberId: string; instanceId: string }];
    const r = await call(leaveGroupHandler, context(h, 5), { groupId: 'gl', members: [
      { memberId: s1.memberId, groupInstanceId: s1.instanceId, reason: 'closing' },
      { memberId: 'nobody', groupInstanceId: null, reason: null },
      { memberId: 'stale-id', groupInstanceId: s2.instanceId, reason: null },
      { memberId: '', groupInstanceId: s2.instanceId, reason: 'admin removal' },
      { memberId: '', groupInstanceId: 'never-joined', reason: null },
    ] });
    expect(r.errorCode).toBe(0);
    expect(r.members.map((m) => [m.memberId, m.groupInstanceId, m.errorCode])).toEqual([
      [s1.memberId, 'i1', ErrorCode.NONE],
      ['nobody', null, ErrorCode.UNKNOWN_MEMBER_ID],
      ['stale-id', 'i2', ErrorCode.FENCED_INSTANCE_ID],
      ['', 'i2', ErrorCode.NONE],
      ['', 'never-joined', ErrorCode.UNKNOWN_MEMBER_ID],
    ]);
    expect(h.gc.describeGroup('gl')).toMatchObject({ state: 'Empty', members: [] });
    // A group this broker does not coordinate: one group-level error, no members.
    h.gc.onBecomeFollower(h.gc.partitionFor('gl'));
    expect(await call(leaveGroupHandler, context(h, 5), { groupId: 'gl', members: [{ memberId: 'x' }] })).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, members: [] });
  });

  test('v0-2 fold the one member\'s error into the top-level error', async () => {
    const h = await startCoordinator();
    await staticGroup(h, 'gf', 1);
    expect(await call(leaveGroupHandler, context(h, 2), { groupId: 'gf', memberId: 'nobody' })).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] });
    expect((await call(leaveGroupHandler, context(h, 1), { groupId: '', memberId: 'x' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});

describe('ListGroups v4 (KIP-518), DescribeGroups v5, DeleteGroups v2', () => {
  test('the states filter keeps groups in the named states (Kafka\'s names, compared exactly); older versions list all', async () => {
    const h = await startCoordinator();
    await staticGroup(h, 'stable-group', 1);
    await h.gc.commitOffsets({ groupId: 'empty-group', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });
    const list = async (v: number, statesFilter: string[]) =>
      (await call(listGroupsHandler, context(h, v), { statesFilter })).groups.map((g) => [g.groupId, g.groupState]).sort();
    expect(await list(4, [])).toEqual([['empty-group', 'Empty'], ['stable-group', 'Stable']]);
    expect(await list(4, ['Stable'])).toEqual([['stable-group', 'Stable']]);
    expect(await list(4, ['Empty', 'PreparingRebalance'])).toEqual([['empty-group', 'Empty']]);
    expect(await list(4, ['stable'])).toEqual([]);
    expect((await list(3, [])).map(([g]) => g)).toEqual(['empty-group', 'stable-group']);
  });

  test('DescribeGroups: authorized operations only when asked for and the group was described (READ, DELETE, DESCRIBE = 328)', async () => {
    const h = await startCoordinator();
    await staticGroup(h, 'gd', 1);
    const [moved] = groupsOnDistinctPartitions(h, 5).filter((g) => h.gc.partitionFor(g) !== h.gc.partitionFor('gd')) as [string];
    h.gc.onBecomeFollower(h.gc.partitionFor(moved));
    const asked = await call(describeGroupsHandler, context(h, 5), { groups: ['gd', 'unknown', moved], includeAuthorizedOperations: true });
    expect(asked.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.authorizedOperations])).toEqual([
      ['gd', 0, 'Stable', 328], ['unknown', 0, 'Dead', 328], [moved, ErrorCode.NOT_COORDINATOR, 'Dead', -2147483648],
    ]);
    const notAsked = await call(describeGroupsHandler, context(h, 5), { groups: ['gd'], includeAuthorizedOperations: false });
    expect(notAsked.groups[0]!.authorizedOperations).toBe(-2147483648);
  });

  test('DeleteGroups v2: a group named twice is answered once', async () => {
    const h = await startCoordinator();
    await h.gc.commitOffsets({ groupId: 'old', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] });
    const r = await call(deleteGroupsHandler, context(h, 2), { groupsNames: ['old', 'old', 'missing'] });
    expect(r.results).toEqual([{ groupId: 'old', errorCode: ErrorCode.NONE }, { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });
});
