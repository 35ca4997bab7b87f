// Golden bytes of the consumer-group APIs at the versions Kafka 3.x serves in ZooKeeper mode, written by hand from
// Kafka's message specs (field order, compact encodings, tag sections), compared with the codec's output.
import {
  DeleteGroups, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, ListGroups, OffsetCommit, OffsetDelete, OffsetFetch, SyncGroup,
} from '../../../src/protocol/messages';
import { arr, bool, carr, cat, cbyt, checkRequest, checkResponse, cstr, frame, i16, i32, i64, i8, NO_TAGS, reqHeader1, reqHeader2, str } from './wireBytes';

const META = Buffer.from('cafe', 'hex');

describe('FindCoordinator', () => {
  test('request v4: key type, then the batched keys (no single key)', () => {
    checkRequest(FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] },
      frame(reqHeader2(10, 4, 7, 'cli'), i8(0), carr([cstr('g1'), cstr('g2')]), NO_TAGS));
  });
  test('request v3: one key', () => {
    checkRequest(FindCoordinator, 3, { key: 'g1', keyType: 0 }, frame(reqHeader2(10, 3, 7, 'cli'), cstr('g1'), i8(0), NO_TAGS));
  });
  test('response v4: throttle time, then one entry per key (key, node, host, port, error, message)', () => {
    checkResponse(FindCoordinator, 4, { throttleTimeMs: 0, coordinators: [
      { key: 'g1', nodeId: 2, host: 'h2', port: 9092, errorCode: 0, errorMessage: null },
      { key: 'g2', nodeId: -1, host: '', port: -1, errorCode: 15, errorMessage: 'busy' },
    ] },
    frame(i32(9), NO_TAGS, i32(0), carr([
      cat(cstr('g1'), i32(2), cstr('h2'), i32(9092), i16(0), cstr(null), NO_TAGS),
      cat(cstr('g2'), i32(-1), cstr(''), i32(-1), i16(15), cstr('busy'), NO_TAGS),
    ]), NO_TAGS));
  });
  test('response v3: the single answer', () => {
    checkResponse(FindCoordinator, 3, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'h', port: 9 },
      frame(i32(9), NO_TAGS, i32(0), i16(0), cstr(null), i32(1), cstr('h'), i32(9), NO_TAGS));
  });
});

describe('OffsetCommit', () => {
  test('request v8 (flexible; no retention time, leader epoch per partition)', () => {
    checkRequest(OffsetCommit, 8, { groupId: 'g', generationId: 3, memberId: 'm', groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 10n, committedLeaderEpoch: 4, committedMetadata: 'x' }] }] },
    frame(reqHeader2(8, 8, 7, 'cli'), cstr('g'), i32(3), cstr('m'), cstr(null),
      carr([cat(cstr('t'), carr([cat(i32(1), i64(10n), i32(4), cstr('x'), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
  test('response v8', () => {
    checkResponse(OffsetCommit, 8, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 22 }] }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('t'), carr([cat(i32(1), i16(22), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
});

describe('OffsetFetch', () => {
  test('request v8: groups, each with its topics (null = all), then requireStable', () => {
    checkRequest(OffsetFetch, 8, { groups: [
      { groupId: 'g1', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
      { groupId: 'g2', topics: null },
    ], requireStable: true },
    frame(reqHeader2(9, 8, 7, 'cli'), carr([
      cat(cstr('g1'), carr([cat(cstr('t'), carr([i32(0), i32(1)]), NO_TAGS)]), NO_TAGS),
      cat(cstr('g2'), carr(null), NO_TAGS),
    ]), bool(true), NO_TAGS));
  });
  test('request v7: one group', () => {
    checkRequest(OffsetFetch, 7, { groupId: 'g', topics: null, requireStable: false }, frame(reqHeader2(9, 7, 7, 'cli'), cstr('g'), carr(null), bool(false), NO_TAGS));
  });
  test('response v8: per group topics and a group error', () => {
    checkResponse(OffsetFetch, 8, { throttleTimeMs: 0, groups: [
      { groupId: 'g1', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }], errorCode: 0 },
      { groupId: 'g2', topics: [], errorCode: 16 },
    ] },
    frame(i32(9), NO_TAGS, i32(0), carr([
      cat(cstr('g1'), carr([cat(cstr('t'), carr([cat(i32(0), i64(5n), i32(-1), cstr(''), i16(0), NO_TAGS)]), NO_TAGS)]), i16(0), NO_TAGS),
      cat(cstr('g2'), carr([]), i16(16), NO_TAGS),
    ]), NO_TAGS));
  });
});

describe('JoinGroup', () => {
  const base = { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: META }] };
  const baseBytes = (v: number) => cat(reqHeader2(11, v, 7, 'cli'), cstr('g'), i32(30000), i32(60000), cstr('m'), cstr(null), cstr('consumer'), carr([cat(cstr('range'), cbyt(META), NO_TAGS)]));
  test('request v8 and v9: the reason follows the protocols', () => {
    checkRequest(JoinGroup, 8, { ...base, reason: 'rebalance needed' }, frame(baseBytes(8), cstr('rebalance needed'), NO_TAGS));
    checkRequest(JoinGroup, 9, { ...base, reason: null }, frame(baseBytes(9), cstr(null), NO_TAGS));
  });
  test('response v9: skipAssignment between the leader and the member id', () => {
    checkResponse(JoinGroup, 9, { throttleTimeMs: 0, errorCode: 0, generationId: 4, protocolType: 'consumer', protocolName: 'range', leader: 'm', skipAssignment: true, memberId: 'm',
      members: [{ memberId: 'm', groupInstanceId: 'i', metadata: META }] },
    frame(i32(9), NO_TAGS, i32(0), i16(0), i32(4), cstr('consumer'), cstr('range'), cstr('m'), bool(true), cstr('m'),
      carr([cat(cstr('m'), cstr('i'), cbyt(META), NO_TAGS)]), NO_TAGS));
  });
  test('response v8 has no skipAssignment', () => {
    checkResponse(JoinGroup, 8, { throttleTimeMs: 0, errorCode: 79, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: 'm-1', members: [] },
      frame(i32(9), NO_TAGS, i32(0), i16(79), i32(-1), cstr(null), cstr(null), cstr(''), cstr('m-1'), carr([]), NO_TAGS));
  });
});

describe('Heartbeat', () => {
  test('request and response v4 (flexible)', () => {
    checkRequest(Heartbeat, 4, { groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: 'i' }, frame(reqHeader2(12, 4, 7, 'cli'), cstr('g'), i32(2), cstr('m'), cstr('i'), NO_TAGS));
    checkResponse(Heartbeat, 4, { throttleTimeMs: 0, errorCode: 27 }, frame(i32(9), NO_TAGS, i32(0), i16(27), NO_TAGS));
  });
});

describe('LeaveGroup', () => {
  test('request v5: members with a reason each', () => {
    checkRequest(LeaveGroup, 5, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null, reason: 'shutdown' }, { memberId: '', groupInstanceId: 'i', reason: null }] },
      frame(reqHeader2(13, 5, 7, 'cli'), cstr('g'), carr([cat(cstr('m'), cstr(null), cstr('shutdown'), NO_TAGS), cat(cstr(''), cstr('i'), cstr(null), NO_TAGS)]), NO_TAGS));
  });
  test('request v2 (one member id) and response v5 (per member errors)', () => {
    checkRequest(LeaveGroup, 2, { groupId: 'g', memberId: 'm' }, frame(reqHeader1(13, 2, 7, 'cli'), str('g'), str('m')));
    checkResponse(LeaveGroup, 5, { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm', groupInstanceId: null, errorCode: 25 }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), carr([cat(cstr('m'), cstr(null), i16(25), NO_TAGS)]), NO_TAGS));
  });
});

describe('SyncGroup', () => {
  test('request and response v5: protocol type and name both ways', () => {
    checkRequest(SyncGroup, 5, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: 'm', assignment: META }] },
      frame(reqHeader2(14, 5, 7, 'cli'), cstr('g'), i32(1), cstr('m'), cstr(null), cstr('consumer'), cstr('range'), carr([cat(cstr('m'), cbyt(META), NO_TAGS)]), NO_TAGS));
    checkResponse(SyncGroup, 5, { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: META },
      frame(i32(9), NO_TAGS, i32(0), i16(0), cstr('consumer'), cstr('range'), cbyt(META), NO_TAGS));
  });
});

describe('DescribeGroups', () => {
  test('request and response v5 (flexible, authorized operations)', () => {
    checkRequest(DescribeGroups, 5, { groups: ['g'], includeAuthorizedOperations: true }, frame(reqHeader2(15, 5, 7, 'cli'), carr([cstr('g')]), bool(true), NO_TAGS));
    checkResponse(DescribeGroups, 5, { throttleTimeMs: 0, groups: [{ errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range',
      members: [{ memberId: 'm', groupInstanceId: null, clientId: 'c', clientHost: '/h', memberMetadata: META, memberAssignment: Buffer.alloc(0) }], authorizedOperations: 328 }] },
    frame(i32(9), NO_TAGS, i32(0), carr([cat(i16(0), cstr('g'), cstr('Stable'), cstr('consumer'), cstr('range'),
      carr([cat(cstr('m'), cstr(null), cstr('c'), cstr('/h'), cbyt(META), cbyt(Buffer.alloc(0)), NO_TAGS)]), i32(328), NO_TAGS)]), NO_TAGS));
  });
});

describe('ListGroups', () => {
  test('request v4: states filter; response v4: each group\'s state', () => {
    checkRequest(ListGroups, 4, { statesFilter: ['Stable', 'Empty'] }, frame(reqHeader2(16, 4, 7, 'cli'), carr([cstr('Stable'), cstr('Empty')]), NO_TAGS));
    checkResponse(ListGroups, 4, { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), carr([cat(cstr('g'), cstr('consumer'), cstr('Stable'), NO_TAGS)]), NO_TAGS));
  });
  test('request v3 has an empty body; response v3 has no state', () => {
    checkRequest(ListGroups, 3, {}, frame(reqHeader2(16, 3, 7, 'cli'), NO_TAGS));
    checkResponse(ListGroups, 3, { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: '' }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), carr([cat(cstr('g'), cstr(''), NO_TAGS)]), NO_TAGS));
  });
});

describe('DeleteGroups', () => {
  test('request and response v2 (flexible)', () => {
    checkRequest(DeleteGroups, 2, { groupsNames: ['a', 'b'] }, frame(reqHeader2(42, 2, 7, 'cli'), carr([cstr('a'), cstr('b')]), NO_TAGS));
    checkResponse(DeleteGroups, 2, { throttleTimeMs: 0, results: [{ groupId: 'a', errorCode: 68 }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('a'), i16(68), NO_TAGS)]), NO_TAGS));
  });
});

describe('OffsetDelete', () => {
  test('request and response v0 (not flexible: error code before throttle time)', () => {
    checkRequest(OffsetDelete, 0, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 3 }] }] },
      frame(reqHeader1(47, 0, 7, 'cli'), str('g'), arr([cat(str('t'), arr([i32(3)]))])));
    checkResponse(OffsetDelete, 0, { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 3, errorCode: 86 }] }] },
      frame(i32(9), i16(0), i32(0), arr([cat(str('t'), arr([cat(i32(3), i16(86))]))])));
  });
});
