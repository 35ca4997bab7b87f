// The consumer-group APIs at the versions Kafka 3.x serves in ZooKeeper mode, spoken on the wire by Brook's own client
// connection to a real 3-broker cluster: batched FindCoordinator v4, JoinGroup v9 → SyncGroup v5 → Heartbeat v4 →
// OffsetCommit v8 → OffsetFetch v8 for two groups → LeaveGroup v5 → ListGroups v4 with a states filter →
// DescribeGroups v5 → DeleteGroups v2.
import { KafkaConnection } from '../../src/client';
import { ErrorCode } from '../../src/protocol/errors';
import {
  ApiVersions, CreateTopics, DeleteGroups, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, ListGroups, OffsetCommit, OffsetFetch, SyncGroup,
} from '../../src/protocol/messages';
import { startCluster, waitFor, type TestCluster } from '../harness';

jest.setTimeout(120_000);

const TOPIC = 'modern-groups';
const SUBSCRIPTION = Buffer.from('000000000001000d6d6f6465726e2d67726f757073ffffffff', 'hex'); // ConsumerProtocol v0: [modern-groups], no user data

describe('consumer-group APIs at their Kafka 3.x versions', () => {
  let cluster: TestCluster;
  const conns: KafkaConnection[] = [];

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '6', 'group.min.session.timeout.ms': '1000' },
    });
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await cluster?.teardown();
  });

  async function connectTo(id: number): Promise<KafkaConnection> {
    const b = cluster.broker(id);
    const c = await KafkaConnection.connect(b.host, b.port, { clientId: 'modern-groups', requestTimeoutMs: 40_000 });
    conns.push(c);
    return c;
  }

  test('every broker advertises the 3.x group versions', async () => {
    for (const id of cluster.brokers.keys()) {
      const r = await (await connectTo(id)).request(ApiVersions, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '0' });
      const max = Object.fromEntries(r.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
      expect({ 8: max[8], 9: max[9], 10: max[10], 11: max[11], 12: max[12], 13: max[13], 14: max[14], 15: max[15], 16: max[16], 42: max[42], 47: max[47] })
        .toEqual({ 8: 8, 9: 8, 10: 4, 11: 9, 12: 4, 13: 5, 14: 5, 15: 5, 16: 4, 42: 2, 47: 0 });
    }
  });

  test('a group lifecycle on the wire, new versions only', async () => {
    const controller = await connectTo(await cluster.waitForController());
    const created = await controller.request(CreateTopics, 5, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);

    // FindCoordinator v4, many keys at once: retried while __consumer_offsets is created, then every key has a node.
    const candidates = Array.from({ length: 12 }, (_, i) => `modern-${i}`);
    const found = await waitFor(async () => {
      const r = await controller.request(FindCoordinator, 4, { keyType: 0, coordinatorKeys: candidates });
      expect(r.coordinators.map((c) => c.key)).toEqual(candidates);
      return r.coordinators.every((c) => c.errorCode === ErrorCode.NONE) ? r.coordinators : null;
    }, { timeoutMs: 60_000, intervalMs: 250, what: 'coordinators for every key' });
    // Two groups with the same coordinator, so one OffsetFetch v8 can read both (and a third elsewhere, if any).
    const first = found[0]!;
    const second = found.find((c) => c !== first && c.nodeId === first.nodeId)!;
    const elsewhere = found.find((c) => c.nodeId !== first.nodeId);
    expect(second).toBeDefined();
    const [g1, g2] = [first.key, second.key];
    const twoKeys = await controller.request(FindCoordinator, 4, { keyType: 0, coordinatorKeys: [g1, g2] });
    expect(twoKeys.coordinators.map((c) => [c.key, c.errorCode, c.nodeId])).toEqual([[g1, 0, first.nodeId], [g2, 0, first.nodeId]]);
    expect(twoKeys.coordinators[0]).toMatchObject({ host: cluster.broker(first.nodeId).host, port: cluster.broker(first.nodeId).port, errorMessage: null });
    const coord = await connectTo(first.nodeId);

    // JoinGroup v9: a dynamic member first gets its id (MEMBER_ID_REQUIRED), then joins and leads.
    const joinBody = { groupId: g1, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: SUBSCRIPTION }], reason: 'integration test' };
    const first9 = await coord.request(JoinGroup, 9, { ...joinBody, memberId: '' });
    expect(first9.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const joined = await coord.request(JoinGroup, 9, { ...joinBody, memberId: first9.memberId });
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: first9.memberId, memberId: first9.memberId, skipAssignment: false });
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    const member = { groupId: g1, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null };

    // SyncGroup v5: the protocol type and name must match the group's.
    const assignment = Buffer.from('my-assignment');
    expect((await coord.request(SyncGroup, 5, { ...member, protocolType: 'consumer', protocolName: 'roundrobin', assignments: [] })).errorCode)
      .toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const synced = await coord.request(SyncGroup, 5, { ...member, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: joined.memberId, assignment }] });
    expect(synced).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(Buffer.from(synced.assignment).equals(assignment)).toBe(true);

    expect(await coord.request(Heartbeat, 4, member)).toEqual({ throttleTimeMs: 0, errorCode: 0 });

    // OffsetCommit v8: the member commits for g1; g2 is a group-less ("simple") committer.
    const commit = (body: { groupId: string; generationId: number; memberId: string }, offset: bigint) => coord.request(OffsetCommit, 8, { ...body, groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [0, 1].map((p) => ({ partitionIndex: p, committedOffset: offset + BigInt(p), committedLeaderEpoch: -1, committedMetadata: `m${p}` })) }] });
    for (const r of [await commit(member, 100n), await commit({ groupId: g2, generationId: -1, memberId: '' }, 200n)]) {
      expect(r.topics).toEqual([{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }]);
    }

    // OffsetFetch v8: both groups in one request (and a group coordinated elsewhere answers NOT_COORDINATOR).
    const groups = [{ groupId: g1, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] }, { groupId: g2, topics: null }, ...(elsewhere ? [{ groupId: elsewhere.key, topics: null }] : [])];
    const fetched = await coord.request(OffsetFetch, 8, { groups, requireStable: true });
    const offsetsOf = (g: (typeof fetched.groups)[number]) => g.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]));
    expect(fetched.groups.map((g) => g.groupId)).toEqual(groups.map((g) => g.groupId));
    expect(fetched.groups.map((g) => g.errorCode)).toEqual([0, 0, ...(elsewhere ? [ErrorCode.NOT_COORDINATOR] : [])]);
    expect(offsetsOf(fetched.groups[0]!)).toEqual([[TOPIC, 0, 100n, 'm0', 0], [TOPIC, 1, 101n, 'm1', 0]]);
    expect(offsetsOf(fetched.groups[1]!).sort()).toEqual([[TOPIC, 0, 200n, 'm0', 0], [TOPIC, 1, 201n, 'm1', 0]]);

    // LeaveGroup v5 with a reason; the group is then Empty.
    const left = await coord.request(LeaveGroup, 5, { groupId: g1, members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'done' }, { memberId: 'not-a-member', groupInstanceId: null, reason: null }] });
    expect(left).toEqual({ throttleTimeMs: 0, errorCode: 0, members: [
      { memberId: joined.memberId, groupInstanceId: null, errorCode: 0 }, { memberId: 'not-a-member', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
    ] });

    // ListGroups v4 filters by state and names each group's state.
    const listed = async (statesFilter: string[]) => (await coord.request(ListGroups, 4, { statesFilter })).groups.filter((g) => g.groupId === g1 || g.groupId === g2);
    expect((await listed(['Empty'])).map((g) => [g.groupId, g.groupState]).sort()).toEqual([[g1, 'Empty'], [g2, 'Empty']].sort());
    expect(await listed(['Stable', 'PreparingRebalance'])).toEqual([]);

    // DescribeGroups v5 with authorized operations (Kafka without an authorizer: READ, DELETE, DESCRIBE).
    const described = await coord.request(DescribeGroups, 5, { groups: [g1], includeAuthorizedOperations: true });
    expect(described.groups).toEqual([{ errorCode: 0, groupId: g1, groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [], authorizedOperations: 328 }]);

    // DeleteGroups v2 removes both groups and their offsets.
    const deleted = await coord.request(DeleteGroups, 2, { groupsNames: [g1, g2] });
    expect(deleted.results).toEqual([{ groupId: g1, errorCode: 0 }, { groupId: g2, errorCode: 0 }]);
    const after = await coord.request(OffsetFetch, 8, { groups: [{ groupId: g1, topics: null }, { groupId: g2, topics: null }], requireStable: false });
    expect(after.groups).toEqual([{ groupId: g1, topics: [], errorCode: 0 }, { groupId: g2, topics: [], errorCode: 0 }]);
    expect(await listed([])).toEqual([]);
  });
});
