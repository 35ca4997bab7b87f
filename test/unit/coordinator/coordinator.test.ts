// GroupCoordinator behaviour on a fake clock and an in-memory __consumer_offsets: membership, rebalances,
// errors, offsets, load after restart, and the admin group APIs.
import { ErrorCode } from '../../../src/protocol/errors';
import type { JoinGroupParams } from '../../../src/coordinator/GroupCoordinator';
import type { JoinResult } from '../../../src/coordinator/MemberMetadata';
import { flush, InMemoryOffsetsStore, startCoordinator, subscription, type Harness } from './helpers';
import { buildRecordBatchSync } from '../../../src/protocol/record/records';
import { encodeGroupMetadataKey, encodeOffsetCommitKey } from '../../../src/coordinator/records';

const SESSION = 10_000;
const REBALANCE = 30_000;

function joinParams(groupId: string, memberId = '', extra: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId,
    memberId,
    groupInstanceId: null,
    requireKnownMemberId: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: REBALANCE,
    sessionTimeoutMs: SESSION,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    ...extra,
  };
}

/** Resolves the promise's value once settled, or 'pending'. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  let v: T | 'pending' = 'pending';
  void p.then((x) => { v = x; });
  await flush();
  return v;
}

/** Joins `n` new members concurrently and completes the rebalance with a sync from everyone. */
async function formGroup(h: Harness, groupId: string, n: number): Promise<JoinResult[]> {
  const joins = Array.from({ length: n }, () => h.gc.joinGroup(joinParams(groupId)));
  await h.scheduler.advance(0); // initial delay 0
  const results = await Promise.all(joins);
  const leader = results.find((r) => r.memberId === r.leaderId);
  if (!leader) throw new Error('no leader');
  const syncs = results.map((r) =>
    h.gc.syncGroup({
      groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: r.memberId === leader.memberId ? results.map((m, i) => ({ memberId: m.memberId, assignment: Buffer.from([i]) })) : [],
    }),
  );
  const synced = await Promise.all(syncs);
  expect(synced.map((s) => s.errorCode)).toEqual(results.map(() => ErrorCode.NONE));
  return results;
}

describe('join / sync / heartbeat', () => {
  test('one member: join, sync, heartbeat, Stable', async () => {
    const h = await startCoordinator();
    const join = h.gc.joinGroup(joinParams('g1'));
    await h.scheduler.advance(0);
    const j = await join;
    expect(j).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leaderId: j.memberId });
    expect(j.memberId).toMatch(/^client-/);
    expect(j.members).toHaveLength(1);
    const s = await h.gc.syncGroup({ groupId: 'g1', generationId: 1, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: j.memberId, assignment: Buffer.from('A') }] });
    expect(s.errorCode).toBe(0);
    expect(s.assignment.toString()).toBe('A');
    expect(h.gc.heartbeat('g1', j.memberId, null, 1)).toBe(ErrorCode.NONE);
    expect(h.gc.describeGroup('g1')).toMatchObject({ state: 'Stable', protocolData: 'range', protocolType: 'consumer' });
  });

  test('three members: one leader gets every member, each gets its own assignment', async () => {
    const h = await startCoordinator();
    const results = await formGroup(h, 'g3', 3);
    expect(new Set(results.map((r) => r.generationId))).toEqual(new Set([1]));
    const leaders = results.filter((r) => r.members.length === 3);
    expect(leaders).toHaveLength(1);
    expect(results.filter((r) => r.members.length === 0)).toHaveLength(2);
    const d = h.gc.describeGroup('g3');
    expect(d.state).toBe('Stable');
    expect(d.members.map((m) => m.assignment[0]).sort()).toEqual([0, 1, 2]);
  });

  test('initial rebalance delay waits for late joiners within the delay', async () => {
    const h = await startCoordinator({ groupInitialRebalanceDelayMs: 3000 });
    const a = h.gc.joinGroup(joinParams('gd'));
    await h.scheduler.advance(2000);
    expect(await peek(a)).toBe('pending');
    const b = h.gc.joinGroup(joinParams('gd'));
    await h.scheduler.advance(1000); // first delay expires, extended because b joined
    expect(await peek(a)).toBe('pending');
    await h.scheduler.advance(3000);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.generationId).toBe(1);
    expect(rb.generationId).toBe(1);
  });

  test('a new member triggers a rebalance; heartbeats answer REBALANCE_IN_PROGRESS meanwhile', async () => {
    const h = await startCoordinator();
    const [first] = await formGroup(h, 'g', 1);
    const m1 = first!.memberId;
    const newcomer = h.gc.joinGroup(joinParams('g'));
    await flush();
    expect(h.gc.describeGroup('g').state).toBe('PreparingRebalance');
    expect(h.gc.heartbeat('g', m1, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = h.gc.joinGroup(joinParams('g', m1));
    const [r1, r2] = await Promise.all([rejoin, newcomer]);
    expect(r1.generationId).toBe(2);
    expect(r2.generationId).toBe(2);
    expect(h.gc.describeGroup('g').state).toBe('CompletingRebalance');
  });

  test('leave triggers a rebalance that completes without the leaver', async () => {
    const h = await startCoordinator();
    const [a, b] = await formGroup(h, 'gl', 2);
    expect(h.gc.leaveGroup('gl', [{ memberId: b!.memberId, groupInstanceId: null }])).toEqual({ errorCode: ErrorCode.NONE, members: [{ memberId: b!.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }] });
    expect(h.gc.describeGroup('gl').state).toBe('PreparingRebalance');
    const r = await h.gc.joinGroup(joinParams('gl', a!.memberId));
    expect(r).toMatchObject({ errorCode: 0, generationId: 2, leaderId: a!.memberId });
    expect(r.members.map((m) => m.memberId)).toEqual([a!.memberId]);
  });

  test('session expiry removes a silent member and rebalances the rest', async () => {
    const h = await startCoordinator();
    const [a, b] = await formGroup(h, 'ge', 2);
    // a keeps heartbeating, b goes silent.
    for (let t = 0; t < SESSION + 3000; t += 3000) {
      expect(h.gc.heartbeat('ge', a!.memberId, null, 1)).toBe(t <= SESSION ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS);
      await h.scheduler.advance(3000);
    }
    expect(h.gc.describeGroup('ge').members.map((m) => m.memberId)).toEqual([a!.memberId]);
    expect(h.gc.heartbeat('ge', b!.memberId, null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const r = await h.gc.joinGroup(joinParams('ge', a!.memberId));
    expect(r.generationId).toBe(2);
  });

  test('a member that does not rejoin within the rebalance timeout is dropped', async () => {
    const h = await startCoordinator();
    const [a, b] = await formGroup(h, 'gr', 2);
    const rejoin = h.gc.joinGroup(joinParams('gr', a!.memberId, { protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }));
    // b keeps its session alive (heartbeats say REBALANCE_IN_PROGRESS) but never rejoins.
    for (let t = 0; t < REBALANCE - 3000; t += 3000) {
      expect(h.gc.heartbeat('gr', b!.memberId, null, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      await h.scheduler.advance(3000);
    }
    await h.scheduler.advance(2999);
    expect(await peek(rejoin)).toBe('pending');
    await h.scheduler.advance(1);
    const r = await rejoin;
    expect(r.members.map((m) => m.memberId)).toEqual([a!.memberId]);
    expect(h.gc.heartbeat('gr', b!.memberId, null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('MEMBER_ID_REQUIRED flow (JoinGroup v4+)', async () => {
    const h = await startCoordinator();
    const first = await h.gc.joinGroup(joinParams('gm', '', { requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^client-/);
    const second = h.gc.joinGroup(joinParams('gm', first.memberId, { requireKnownMemberId: true }));
    await h.scheduler.advance(0);
    expect(await second).toMatchObject({ errorCode: 0, memberId: first.memberId, generationId: 1 });
  });

  test('an unused pending member id expires after the session timeout', async () => {
    const h = await startCoordinator();
    const first = await h.gc.joinGroup(joinParams('gp', '', { requireKnownMemberId: true }));
    await h.scheduler.advance(SESSION);
    const late = await h.gc.joinGroup(joinParams('gp', first.memberId));
    expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('static member rejoining with a new member id keeps its assignment without a rebalance', async () => {
    const h = await startCoordinator();
    const js = [h.gc.joinGroup(joinParams('gs', '', { groupInstanceId: 'i1' })), h.gc.joinGroup(joinParams('gs', '', { groupInstanceId: 'i2' }))];
    await h.scheduler.advance(0);
    const [a, b] = await Promise.all(js);
    expect(a!.memberId).toMatch(/^i1-/);
    await Promise.all([a!, b!].map((r) =>
      h.gc.syncGroup({ groupId: 'gs', generationId: 1, memberId: r.memberId, groupInstanceId: r.memberId.startsWith('i1') ? 'i1' : 'i2', protocolType: null, protocolName: null,
        assignments: r.memberId === r.leaderId ? [{ memberId: a!.memberId, assignment: Buffer.from('A') }, { memberId: b!.memberId, assignment: Buffer.from('B') }] : [] })));
    // i2 restarts and joins again with no member id.
    const appendsBefore = h.store.appends;
    const re = await h.gc.joinGroup(joinParams('gs', '', { groupInstanceId: 'i2' }));
    expect(re).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(re.memberId).not.toBe(b!.memberId);
    expect(h.store.appends).toBe(appendsBefore + 1); // the new member id is persisted
    expect(h.gc.describeGroup('gs').state).toBe('Stable');
    const s = await h.gc.syncGroup({ groupId: 'gs', generationId: 1, memberId: re.memberId, groupInstanceId: 'i2', protocolType: null, protocolName: null, assignments: [] });
    expect(s.assignment.toString()).toBe('B');
    // The old incarnation is fenced.
    expect(h.gc.heartbeat('gs', b!.memberId, 'i2', 1)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.gc.heartbeat('gs', re.memberId, 'i2', 1)).toBe(ErrorCode.NONE);
  });
});

describe('error table', () => {
  test('ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID on heartbeat and sync', async () => {
    const h = await startCoordinator();
    const [a] = await formGroup(h, 'x', 1);
    expect(h.gc.heartbeat('x', a!.memberId, null, 7)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.gc.heartbeat('x', 'nobody', null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.gc.heartbeat('unknown-group', 'nobody', null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const s = await h.gc.syncGroup({ groupId: 'x', generationId: 9, memberId: a!.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect(s.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const j = await h.gc.joinGroup(joinParams('x', 'nobody'));
    expect(j.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('REBALANCE_IN_PROGRESS for a sync during PreparingRebalance and pending syncs when a rebalance starts', async () => {
    const h = await startCoordinator();
    const join = h.gc.joinGroup(joinParams('rb'));
    await h.scheduler.advance(0);
    const a = await join;
    // a (leader) has not synced yet; b joins: a's pending sync is answered REBALANCE_IN_PROGRESS... a syncs as follower-less first
    const bJoin = h.gc.joinGroup(joinParams('rb'));
    await flush();
    const s = await h.gc.syncGroup({ groupId: 'rb', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect(s.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await h.gc.joinGroup(joinParams('rb', a.memberId));
    await bJoin;
  });

  test('GROUP_MAX_SIZE_REACHED', async () => {
    const h = await startCoordinator({ groupMaxSize: 2, groupInitialRebalanceDelayMs: 1000 });
    const joins = [1, 2, 3].map(() => h.gc.joinGroup(joinParams('max')));
    const third = await peek(joins[2]!);
    expect(third).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED });
    await h.scheduler.advance(2000); // the second member extended the initial delay once
    const ok = await Promise.all(joins.slice(0, 2));
    expect(ok.map((r) => r.errorCode)).toEqual([0, 0]);
  });

  test('INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms', async () => {
    const h = await startCoordinator();
    expect((await h.gc.joinGroup(joinParams('s', '', { sessionTimeoutMs: 999 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await h.gc.joinGroup(joinParams('s', '', { sessionTimeoutMs: 60001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  });

  test('INCONSISTENT_GROUP_PROTOCOL when no protocol is shared', async () => {
    const h = await startCoordinator();
    await formGroup(h, 'ip', 1);
    const r = await h.gc.joinGroup(joinParams('ip', '', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
    expect(r.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test('NOT_COORDINATOR for groups of partitions this broker does not lead; COORDINATOR_LOAD_IN_PROGRESS while loading', async () => {
    const h = await startCoordinator();
    const groupId = 'moving';
    const p = h.gc.partitionFor(groupId);
    h.gc.onBecomeFollower(p);
    expect(h.gc.heartbeat(groupId, 'm', null, 1)).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await h.gc.joinGroup(joinParams(groupId))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    h.store.hold = false;
    const store = h.store;
    const origRead = store.read.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    store.read = async (...args) => { await gate; return origRead(...args); };
    const loading = h.gc.onBecomeLeader(p, 2);
    expect(h.gc.heartbeat(groupId, 'm', null, 1)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.gc.fetchOffsets(groupId, null).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.gc.listGroups().errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    await loading;
    expect(h.gc.heartbeat(groupId, 'm', null, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('losing leadership answers pending joins with NOT_COORDINATOR', async () => {
    const h = await startCoordinator({ groupInitialRebalanceDelayMs: 5000 });
    const join = h.gc.joinGroup(joinParams('lost'));
    h.gc.onBecomeFollower(h.gc.partitionFor('lost'));
    expect((await join).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});

describe('offsets', () => {
  test('commit by a member, fetch by partition and all, acknowledged only after the write', async () => {
    const h = await startCoordinator();
    const [a] = await formGroup(h, 'og', 1);
    h.store.hold = true;
    const commit = h.gc.commitOffsets({ groupId: 'og', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition: 0, offset: 10n, leaderEpoch: 3, metadata: 'meta' }, { topic: 't', partition: 1, offset: 20n, leaderEpoch: -1, metadata: null }] });
    expect(await peek(commit)).toBe('pending');
    expect(h.gc.fetchOffsets('og', [{ topic: 't', partition: 0 }]).offsets[0]!.offset).toBe(-1n);
    h.store.release();
    expect(await commit).toEqual([0, 0]);
    expect(h.gc.fetchOffsets('og', [{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }]).offsets).toEqual([
      { topic: 't', partition: 0, offset: 10n, leaderEpoch: 3, metadata: 'meta', errorCode: 0 },
      { topic: 'u', partition: 0, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    expect(h.gc.fetchOffsets('og', null).offsets.map((o) => o.offset).sort()).toEqual([10n, 20n]);
  });

  test('commit errors: failed append is mapped, cache untouched; stale generation and unknown member refused', async () => {
    const h = await startCoordinator();
    const [a] = await formGroup(h, 'oe', 1);
    const base = { groupId: 'oe', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: '' }] };
    h.store.nextError = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await h.gc.commitOffsets(base)).toEqual([ErrorCode.NOT_COORDINATOR]);
    h.store.nextError = ErrorCode.NOT_ENOUGH_REPLICAS;
    expect(await h.gc.commitOffsets(base)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    expect(h.gc.fetchOffsets('oe', null).offsets).toEqual([]);
    expect(await h.gc.commitOffsets({ ...base, generationId: 2 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await h.gc.commitOffsets({ ...base, memberId: 'x' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await h.gc.commitOffsets({ ...base, offsets: [{ ...base.offsets[0]!, metadata: 'x'.repeat(5000) }] })).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  });

  test('simple (group-less) commits with generation -1 create an Empty group; generation >= 0 for an unknown group is refused', async () => {
    const h = await startCoordinator();
    const offsets = [{ topic: 't', partition: 0, offset: 7n, leaderEpoch: -1, metadata: '' }];
    expect(await h.gc.commitOffsets({ groupId: 'simple', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets })).toEqual([0]);
    expect(h.gc.describeGroup('simple')).toMatchObject({ state: 'Empty', protocolType: '' });
    expect(await h.gc.commitOffsets({ groupId: 'nope', memberId: 'm', groupInstanceId: null, generationId: 3, retentionTimeMs: -1n, offsets })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
  });

  test('offsets of an empty group expire after offsets.retention.minutes; the group then disappears', async () => {
    const h = await startCoordinator({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    const [a] = await formGroup(h, 'exp', 1);
    await h.gc.commitOffsets({ groupId: 'exp', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }] });
    // Active consumer group: subscribed topic offsets never expire.
    for (let i = 0; i < 9; i++) {
      h.gc.heartbeat('exp', a!.memberId, null, 1);
      await h.scheduler.advance(9_000);
    }
    expect(h.gc.fetchOffsets('exp', null).offsets).toHaveLength(1);
    expect(h.gc.leaveGroup('exp', [{ memberId: a!.memberId, groupInstanceId: null }]).members[0]?.errorCode).toBe(0); // last member gone: the group is Empty at once
    expect(h.gc.describeGroup('exp').state).toBe('Empty');
    await h.scheduler.advance(50_000);
    expect(h.gc.fetchOffsets('exp', null).offsets).toHaveLength(1);
    await h.scheduler.advance(20_000);
    expect(h.gc.fetchOffsets('exp', null).offsets).toHaveLength(0);
    expect(h.gc.listGroups().groups.map((g) => g.groupId)).not.toContain('exp');
  });
});

describe('load after restart', () => {
  test('a new coordinator replaying the log reproduces offsets and the Stable group', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    const [a, b] = await formGroup(h, 'persist', 2);
    await h.gc.commitOffsets({ groupId: 'persist', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 100n, leaderEpoch: 2, metadata: 'x' }] });
    await h.gc.commitOffsets({ groupId: 'persist', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 150n, leaderEpoch: 2, metadata: 'y' }] });
    await h.gc.commitOffsets({ groupId: 'other', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 1, offset: 9n, leaderEpoch: -1, metadata: '' }] });
    const before = h.gc.describeGroup('persist');
    h.gc.shutdown();

    const h2 = await startCoordinator({}, store);
    expect(h2.gc.fetchOffsets('persist', null).offsets).toEqual([{ topic: 't', partition: 0, offset: 150n, leaderEpoch: 2, metadata: 'y', errorCode: 0 }]);
    expect(h2.gc.fetchOffsets('other', [{ topic: 't', partition: 1 }]).offsets[0]!.offset).toBe(9n);
    const after = h2.gc.describeGroup('persist');
    expect(after).toEqual(before);
    // Members carry on heartbeating against the new coordinator with the same generation.
    expect(h2.gc.heartbeat('persist', a!.memberId, null, 1)).toBe(ErrorCode.NONE);
    expect(h2.gc.heartbeat('persist', b!.memberId, null, 1)).toBe(ErrorCode.NONE);
  });

  test('deleted groups stay deleted after a reload', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    await h.gc.commitOffsets({ groupId: 'gone', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }] });
    expect(await h.gc.deleteGroups(['gone'])).toEqual(new Map([['gone', 0]]));
    h.gc.shutdown();
    const h2 = await startCoordinator({}, store);
    expect(h2.gc.fetchOffsets('gone', null).offsets).toEqual([]);
    expect(h2.gc.describeGroup('gone').state).toBe('Dead');
  });
});

describe('load with bad records or failing reads', () => {
  const commit = (h: Harness, groupId: string, offset: bigint) =>
    h.gc.commitOffsets({ groupId, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset, leaderEpoch: -1, metadata: '' }] });

  test('undecodable records are skipped: every other group of the partition loads, later commits of the same group win', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    expect(await commit(h, 'g1', 10n)).toEqual([0]);
    const p = h.gc.partitionFor('g1');
    // A truncated offset value, a truncated group value and a garbage key, in one batch, then a valid commit.
    await store.append(p, buildRecordBatchSync({ records: [
      { key: encodeOffsetCommitKey('g1', 't', 0), value: Buffer.from([0, 3, 0xff]), timestamp: 1n },
      { key: encodeGroupMetadataKey('g1'), value: Buffer.from([0, 3, 0, 0]), timestamp: 1n },
      { key: Buffer.from([0, 1, 0xff]), value: Buffer.from([1]), timestamp: 1n },
    ] }));
    // A batch whose records cannot be decoded at all (the record count promises more records than it holds).
    const broken = Buffer.from(buildRecordBatchSync({ records: [{ key: encodeOffsetCommitKey('g1', 't', 0), value: Buffer.from([0]), timestamp: 1n }] }));
    broken.writeInt32BE(5, 57);
    await store.append(p, broken);
    expect(await commit(h, 'g1', 20n)).toEqual([0]);
    h.gc.shutdown();

    const h2 = await startCoordinator({}, store);
    expect(h2.gc.fetchOffsets('g1', null)).toMatchObject({ errorCode: 0, offsets: [{ topic: 't', partition: 0, offset: 20n }] });
  });

  test('a failed load is retried with backoff; meanwhile the groups answer COORDINATOR_LOAD_IN_PROGRESS, not NOT_COORDINATOR', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    expect(await commit(h, 'retry', 7n)).toEqual([0]);
    const p = h.gc.partitionFor('retry');
    h.gc.onBecomeFollower(p);
    const origRead = store.read.bind(store);
    let failures = 2;
    store.read = async (...args) => {
      if (failures > 0) {
        failures--;
        throw new Error('disk read failed');
      }
      return origRead(...args);
    };
    const loading = h.gc.onBecomeLeader(p, 2);
    await flush();
    expect(failures).toBe(1);
    expect(h.gc.fetchOffsets('retry', null).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await h.scheduler.advance(100); // first retry: fails again
    expect(failures).toBe(0);
    expect(h.gc.fetchOffsets('retry', null).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await h.scheduler.advance(200); // second retry, after a doubled backoff: succeeds
    await loading;
    expect(h.gc.fetchOffsets('retry', null)).toMatchObject({ errorCode: 0, offsets: [{ offset: 7n }] });
  });

  test('a retry stops once leadership moves away', async () => {
    const store = new InMemoryOffsetsStore();
    const h = await startCoordinator({}, store);
    const p = h.gc.partitionFor('moved');
    h.gc.onBecomeFollower(p);
    let reads = 0;
    store.read = async () => {
      reads++;
      throw new Error('disk read failed');
    };
    const loading = h.gc.onBecomeLeader(p, 2);
    await flush();
    h.gc.onBecomeFollower(p);
    await h.scheduler.advance(60_000);
    await loading;
    expect(reads).toBe(1);
    expect(h.gc.fetchOffsets('moved', null).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});

describe('admin APIs', () => {
  test('DescribeGroups of an unknown group is Dead with no error; ListGroups lists local groups', async () => {
    const h = await startCoordinator();
    await formGroup(h, 'la', 1);
    expect(h.gc.describeGroup('none')).toMatchObject({ errorCode: 0, state: 'Dead', members: [] });
    expect(h.gc.listGroups()).toEqual({ errorCode: 0, groups: [{ groupId: 'la', protocolType: 'consumer', state: 'Stable' }] });
  });

  test('DeleteGroups: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, and success for empty groups', async () => {
    const h = await startCoordinator();
    await formGroup(h, 'busy', 1);
    await h.gc.commitOffsets({ groupId: 'idle', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1n, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }] });
    const r = await h.gc.deleteGroups(['busy', 'missing', 'idle']);
    expect(Object.fromEntries(r)).toEqual({ busy: ErrorCode.NON_EMPTY_GROUP, missing: ErrorCode.GROUP_ID_NOT_FOUND, idle: 0 });
    expect(h.gc.fetchOffsets('idle', null).offsets).toEqual([]);
  });

  test('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for consumed topics, deletes the others', async () => {
    const h = await startCoordinator();
    const [a] = await formGroup(h, 'od', 1); // subscribed to 't'
    await h.gc.commitOffsets({ groupId: 'od', memberId: a!.memberId, groupInstanceId: null, generationId: 1, retentionTimeMs: -1n,
      offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }, { topic: 'old', partition: 0, offset: 2n, leaderEpoch: -1, metadata: '' }] });
    const r = await h.gc.deleteOffsets('od', [{ topic: 't', partition: 0 }, { topic: 'old', partition: 0 }]);
    expect(r).toEqual({ errorCode: 0, results: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0] });
    expect(h.gc.fetchOffsets('od', null).offsets.map((o) => o.topic)).toEqual(['t']);
    expect((await h.gc.deleteOffsets('nope', [])).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});
