// Golden bytes: frames written out by hand from the protocol guide's layouts, compared with the codec's output.
import { decodeRequest, decodeResponse, encodeRequest, readRequestHeader } from '../../../src/protocol/codec';
import { ApiVersions, CreateTopics, Fetch, JoinGroup, LeaderAndIsr, Metadata, Produce } from '../../../src/protocol/messages';
import {
  arr, bool, byt, carr, cat, cbyt, checkRequest, checkResponse, cstr, frame, i16, i32, i64, i8, NO_TAGS, reqHeader1, reqHeader2, str, uv,
} from './wireBytes';

const REC = Buffer.from('0102030405', 'hex');

describe('Produce', () => {
  const body = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: [{ index: 2, records: REC }] }] };
  test('request v0 (no transactional id)', () => {
    checkRequest(Produce, 0, body, frame(reqHeader1(0, 0, 7, 'cli'), i16(-1), i32(30000), arr([cat(str('orders'), arr([cat(i32(2), byt(REC))]))])));
  });
  test('request v5 (nullable transactional id first)', () => {
    checkRequest(Produce, 5, { ...body, transactionalId: 'tx' }, frame(reqHeader1(0, 5, 7, 'cli'), str('tx'), i16(-1), i32(30000), arr([cat(str('orders'), arr([cat(i32(2), byt(REC))]))])));
  });
  test('request v9 (flexible: header v2, compact encodings, tag sections)', () => {
    checkRequest(Produce, 9, body, frame(reqHeader2(0, 9, 7, 'cli'), cstr(null), i16(-1), i32(30000),
      carr([cat(cstr('orders'), carr([cat(i32(2), cbyt(REC), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
  test('request with null records', () => {
    checkRequest(Produce, 3, { ...body, topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }] },
      frame(reqHeader1(0, 3, 7, 'cli'), str(null), i16(-1), i32(30000), arr([cat(str('t'), arr([cat(i32(0), i32(-1))]))])));
  });
  const p = { index: 2, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null };
  test('response v0', () => {
    checkResponse(Produce, 0, { responses: [{ name: 'orders', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 42n }] }] },
      frame(i32(9), arr([cat(str('orders'), arr([cat(i32(2), i16(0), i64(42n))]))])));
  });
  test('response v5 (log append time, log start offset, throttle)', () => {
    checkResponse(Produce, 5, { responses: [{ name: 'orders', partitionResponses: [p] }], throttleTimeMs: 3 },
      frame(i32(9), arr([cat(str('orders'), arr([cat(i32(2), i16(0), i64(42n), i64(-1n), i64(0n))]))]), i32(3)));
  });
  test('response v9 (header v1, record errors)', () => {
    const pe = { ...p, errorCode: 87, recordErrors: [{ batchIndex: 1, batchIndexErrorMessage: 'bad' }], errorMessage: 'invalid' };
    checkResponse(Produce, 9, { responses: [{ name: 'orders', partitionResponses: [pe] }], throttleTimeMs: 0 },
      frame(i32(9), NO_TAGS, carr([cat(cstr('orders'), carr([cat(i32(2), i16(87), i64(42n), i64(-1n), i64(0n),
        carr([cat(i32(1), cstr('bad'), NO_TAGS)]), cstr('invalid'), NO_TAGS)]), NO_TAGS)]), i32(0), NO_TAGS));
  });
});

describe('Fetch', () => {
  test('request v0', () => {
    checkRequest(Fetch, 0, { replicaId: -1, maxWaitMs: 500, minBytes: 1, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 10n, partitionMaxBytes: 1024 }] }] },
      frame(reqHeader1(1, 0, 7, 'cli'), i32(-1), i32(500), i32(1), arr([cat(str('t'), arr([cat(i32(0), i64(10n), i32(1024))]))])));
  });
  test('request v6 (max bytes, isolation level, log start offset)', () => {
    checkRequest(Fetch, 6, { replicaId: 2, maxWaitMs: 500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 10n, logStartOffset: 5n, partitionMaxBytes: 1024 }] }] },
      frame(reqHeader1(1, 6, 7, 'cli'), i32(2), i32(500), i32(1), i32(1 << 20), i8(1), arr([cat(str('t'), arr([cat(i32(0), i64(10n), i64(5n), i32(1024))]))])));
  });
  test('request v12 (flexible, tagged clusterId)', () => {
    checkRequest(Fetch, 12, { clusterId: 'cid', replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 100, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 1, currentLeaderEpoch: 4, fetchOffset: 10n, lastFetchedEpoch: 3, logStartOffset: -1n, partitionMaxBytes: 1024 }] }],
      forgottenTopicsData: [{ topic: 'old', partitions: [5, 6] }], rackId: 'r1' },
      frame(reqHeader2(1, 12, 7, 'cli'), i32(-1), i32(500), i32(1), i32(100), i8(0), i32(0), i32(-1),
        carr([cat(cstr('t'), carr([cat(i32(1), i32(4), i64(10n), i32(3), i64(-1n), i32(1024), NO_TAGS)]), NO_TAGS)]),
        carr([cat(cstr('old'), carr([i32(5), i32(6)]), NO_TAGS)]), cstr('r1'),
        uv(1), uv(0), uv(4), cstr('cid')));
  });
  // Topic ids (KIP-516) as 16 raw bytes on the wire; the codec's text form is their unpadded URL-safe base64.
  const ID_A = { text: 'AAECAwQFBgcICQoLDA0ODw', bytes: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex') };
  const ID_B = { text: '8OHSw7Sllod4aVpLPC0eDw', bytes: Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex') };
  test('request v13 (topics and forgotten topics by id, no names)', () => {
    checkRequest(Fetch, 13, { replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 100, isolationLevel: 1, sessionId: 42, sessionEpoch: 3,
      topics: [{ topicId: ID_A.text, partitions: [{ partition: 1, currentLeaderEpoch: 4, fetchOffset: 10n, lastFetchedEpoch: 3, logStartOffset: -1n, partitionMaxBytes: 1024 }] }],
      forgottenTopicsData: [{ topicId: ID_B.text, partitions: [5] }], rackId: '' },
      frame(reqHeader2(1, 13, 7, 'cli'), i32(-1), i32(500), i32(1), i32(100), i8(1), i32(42), i32(3),
        carr([cat(ID_A.bytes, carr([cat(i32(1), i32(4), i64(10n), i32(3), i64(-1n), i32(1024), NO_TAGS)]), NO_TAGS)]),
        carr([cat(ID_B.bytes, carr([i32(5)]), NO_TAGS)]), cstr(''), NO_TAGS));
  });
  test('response v4 (aborted transactions, null)', () => {
    checkResponse(Fetch, 4, { throttleTimeMs: 0, responses: [{ topic: 't', partitionResponses: [
      { partition: 0, errorCode: 0, highWatermark: 100n, lastStableOffset: 90n, abortedTransactions: [{ producerId: 7n, firstOffset: 50n }], recordSet: REC },
      { partition: 1, errorCode: 1, highWatermark: -1n, lastStableOffset: -1n, abortedTransactions: null, recordSet: null }] }] },
      frame(i32(9), i32(0), arr([cat(str('t'), arr([
        cat(i32(0), i16(0), i64(100n), i64(90n), arr([cat(i64(7n), i64(50n))]), byt(REC)),
        cat(i32(1), i16(1), i64(-1n), i64(-1n), i32(-1), i32(-1))]))])));
  });
  test('response v12 (tagged diverging epoch and current leader)', () => {
    checkResponse(Fetch, 12, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitionResponses: [
      { partition: 0, errorCode: 0, highWatermark: 100n, lastStableOffset: 100n, logStartOffset: 0n,
        divergingEpoch: { epoch: 2, endOffset: 80n }, currentLeader: { leaderId: 3, leaderEpoch: 5 },
        abortedTransactions: null, preferredReadReplica: -1, recordSet: REC }] }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), i32(0), carr([cat(cstr('t'), carr([cat(i32(0), i16(0), i64(100n), i64(100n), i64(0n),
        uv(0), i32(-1), cbyt(REC),
        uv(2), uv(0), uv(13), i32(2), i64(80n), NO_TAGS, uv(1), uv(9), i32(3), i32(5), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
  test('response v13 (topic id instead of name)', () => {
    checkResponse(Fetch, 13, { throttleTimeMs: 0, errorCode: 0, sessionId: 42, responses: [
      { topicId: ID_A.text, partitionResponses: [{ partition: 1, errorCode: 0, highWatermark: 100n, lastStableOffset: 100n, logStartOffset: 0n,
        abortedTransactions: null, preferredReadReplica: -1, recordSet: REC }] },
      { topicId: ID_B.text, partitionResponses: [{ partition: 0, errorCode: 100, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
        abortedTransactions: null, preferredReadReplica: -1, recordSet: Buffer.alloc(0) }] }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), i32(42), carr([
        cat(ID_A.bytes, carr([cat(i32(1), i16(0), i64(100n), i64(100n), i64(0n), uv(0), i32(-1), cbyt(REC), NO_TAGS)]), NO_TAGS),
        cat(ID_B.bytes, carr([cat(i32(0), i16(100), i64(-1n), i64(-1n), i64(-1n), uv(0), i32(-1), cbyt(Buffer.alloc(0)), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
  test('v13 has no topic names and v12 no topic ids: each decodes to the default', () => {
    const v13 = frame(reqHeader2(1, 13, 7, 'cli'), i32(-1), i32(500), i32(1), i32(100), i8(0), i32(0), i32(-1),
      carr([cat(ID_A.bytes, carr([]), NO_TAGS)]), carr([]), cstr(''), NO_TAGS).subarray(4);
    expect(decodeRequest(Fetch, 13, v13, readRequestHeader(v13).bodyOffset).topics).toEqual([{ topic: '', topicId: ID_A.text, partitions: [] }]);
    const v12 = encodeRequest(Fetch, 12, { correlationId: 7, clientId: 'cli' }, { topics: [{ topic: 't', topicId: ID_A.text, partitions: [] }] }).subarray(4);
    expect(decodeRequest(Fetch, 12, v12, readRequestHeader(v12).bodyOffset).topics).toEqual([{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [] }]);
  });
});

describe('Metadata', () => {
  test('request v0 (empty list = all topics)', () => {
    checkRequest(Metadata, 0, { topics: [] }, frame(reqHeader1(3, 0, 7, 'cli'), i32(0)));
  });
  test('request v4 null topics, auto create', () => {
    checkRequest(Metadata, 4, { topics: null, allowAutoTopicCreation: false }, frame(reqHeader1(3, 4, 7, 'cli'), i32(-1), bool(false)));
  });
  test('request v11 (flexible, topic ids)', () => {
    checkRequest(Metadata, 11, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'a' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false },
      frame(reqHeader2(3, 11, 7, 'cli'), carr([cat(Buffer.alloc(16), cstr('a'), NO_TAGS)]), bool(true), bool(false), NO_TAGS));
  });
  const broker = { nodeId: 1, host: 'h1', port: 9092, rack: null };
  const partV0 = { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1] };
  const partV5 = { ...partV0, offlineReplicas: [2] };
  const part = { ...partV5, leaderEpoch: 3 };
  test('response v0', () => {
    checkResponse(Metadata, 0, { brokers: [broker], topics: [{ errorCode: 0, name: 't', partitions: [partV0] }] },
      frame(i32(9), arr([cat(i32(1), str('h1'), i32(9092))]), arr([cat(i16(0), str('t'), arr([cat(i16(0), i32(0), i32(1), arr([i32(1), i32(2)]), arr([i32(1)]))]))])));
  });
  test('response v5 (controller, cluster id, offline replicas)', () => {
    checkResponse(Metadata, 5, { throttleTimeMs: 0, brokers: [broker], clusterId: 'c1', controllerId: 1, topics: [{ errorCode: 0, name: 't', isInternal: false, partitions: [partV5] }] },
      frame(i32(9), i32(0), arr([cat(i32(1), str('h1'), i32(9092), str(null))]), str('c1'), i32(1),
        arr([cat(i16(0), str('t'), bool(false), arr([cat(i16(0), i32(0), i32(1), arr([i32(1), i32(2)]), arr([i32(1)]), arr([i32(2)]))]))])));
  });
  test('response v9 (flexible)', () => {
    checkResponse(Metadata, 9, { throttleTimeMs: 0, brokers: [broker], clusterId: 'c1', controllerId: 1,
      topics: [{ errorCode: 0, name: 't', isInternal: false, partitions: [part], topicAuthorizedOperations: -2147483648 }], clusterAuthorizedOperations: -2147483648 },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(i32(1), cstr('h1'), i32(9092), cstr(null), NO_TAGS)]), cstr('c1'), i32(1),
        carr([cat(i16(0), cstr('t'), bool(false), carr([cat(i16(0), i32(0), i32(1), i32(3), carr([i32(1), i32(2)]), carr([i32(1)]), carr([i32(2)]), NO_TAGS)]), i32(-2147483648), NO_TAGS)]),
        i32(-2147483648), NO_TAGS));
  });
});

describe('ApiVersions', () => {
  const keys = [{ apiKey: 0, minVersion: 0, maxVersion: 9 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }];
  const keyBytes = keys.map((k) => cat(i16(k.apiKey), i16(k.minVersion), i16(k.maxVersion)));
  test('request v0 and v2 have empty bodies', () => {
    checkRequest(ApiVersions, 0, {}, frame(reqHeader1(18, 0, 7, 'cli')));
    checkRequest(ApiVersions, 2, {}, frame(reqHeader1(18, 2, 7, 'cli')));
  });
  test('request v3 (flexible header v2, compact strings)', () => {
    checkRequest(ApiVersions, 3, { clientSoftwareName: 'brook', clientSoftwareVersion: '0.1' },
      frame(reqHeader2(18, 3, 7, 'cli'), cstr('brook'), cstr('0.1'), NO_TAGS));
  });
  test('response v0 (also the UNSUPPORTED_VERSION answer layout)', () => {
    checkResponse(ApiVersions, 0, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] },
      frame(i32(9), i16(35), arr([cat(i16(18), i16(0), i16(3))])));
  });
  test('response v2', () => {
    checkResponse(ApiVersions, 2, { errorCode: 0, apiKeys: keys, throttleTimeMs: 0 }, frame(i32(9), i16(0), arr(keyBytes), i32(0)));
  });
  test('response v3: header v0 (no tag byte), compact body, tagged features', () => {
    checkResponse(ApiVersions, 3, { errorCode: 0, apiKeys: keys, throttleTimeMs: 0 },
      frame(i32(9), i16(0), carr(keyBytes.map((k) => cat(k, NO_TAGS))), i32(0), NO_TAGS));
    checkResponse(ApiVersions, 3, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [{ name: 'f', minVersion: 1, maxVersion: 2 }], finalizedFeaturesEpoch: 4n },
      frame(i32(9), i16(0), carr([]), i32(0), uv(2), uv(0), uv(8), carr([cat(cstr('f'), i16(1), i16(2), NO_TAGS)]), uv(1), uv(8), i64(4n)));
  });
});

describe('LeaderAndIsr', () => {
  const st = { partitionIndex: 0, controllerEpoch: 5, leader: 1, leaderEpoch: 2, isr: [1, 2], zkVersion: 3, replicas: [1, 2, 3] };
  const stBytes = cat(i32(0), i32(5), i32(1), i32(2), arr([i32(1), i32(2)]), i32(3), arr([i32(1), i32(2), i32(3)]));
  const live = { brokerId: 1, hostName: 'b1', port: 9092 };
  test('request v0 (ungrouped partition states)', () => {
    checkRequest(LeaderAndIsr, 0, { controllerId: 1, controllerEpoch: 5, ungroupedPartitionStates: [{ topicName: 't', ...st }], liveLeaders: [live] },
      frame(reqHeader1(4, 0, 7, 'cli'), i32(1), i32(5), arr([cat(str('t'), stBytes)]), arr([cat(i32(1), str('b1'), i32(9092))])));
  });
  test('request v2 (broker epoch, grouped by topic, isNew)', () => {
    checkRequest(LeaderAndIsr, 2, { controllerId: 1, controllerEpoch: 5, brokerEpoch: 77n, topicStates: [{ topicName: 't', partitionStates: [{ ...st, isNew: true }] }], liveLeaders: [live] },
      frame(reqHeader1(4, 2, 7, 'cli'), i32(1), i32(5), i64(77n), arr([cat(str('t'), arr([cat(stBytes, bool(true))]))]), arr([cat(i32(1), str('b1'), i32(9092))])));
  });
  test('request v5 (flexible, type, topic id)', () => {
    const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    checkRequest(LeaderAndIsr, 5, { controllerId: 1, controllerEpoch: 5, brokerEpoch: 77n, type: 1,
      topicStates: [{ topicName: 't', topicId: id.toString('base64url'), partitionStates: [{ ...st, addingReplicas: [3], removingReplicas: [], isNew: false }] }], liveLeaders: [live] },
      frame(reqHeader2(4, 5, 7, 'cli'), i32(1), i32(5), i64(77n), i8(1),
        carr([cat(cstr('t'), id, carr([cat(i32(0), i32(5), i32(1), i32(2), carr([i32(1), i32(2)]), i32(3), carr([i32(1), i32(2), i32(3)]), carr([i32(3)]), carr([]), bool(false), NO_TAGS)]), NO_TAGS)]),
        carr([cat(i32(1), cstr('b1'), i32(9092), NO_TAGS)]), NO_TAGS));
  });
  test('response v1 and v5', () => {
    checkResponse(LeaderAndIsr, 1, { errorCode: 0, partitionErrors: [{ topicName: 't', partitionIndex: 0, errorCode: 6 }] },
      frame(i32(9), i16(0), arr([cat(str('t'), i32(0), i16(6))])));
    checkResponse(LeaderAndIsr, 5, { errorCode: 0, topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionErrors: [{ partitionIndex: 0, errorCode: 0 }] }] },
      frame(i32(9), NO_TAGS, i16(0), carr([cat(Buffer.alloc(16), carr([cat(i32(0), i16(0), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
});

describe('CreateTopics', () => {
  const topic = { name: 't', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }, { name: 'x', value: null }] };
  test('request v0', () => {
    checkRequest(CreateTopics, 0, { topics: [topic], timeoutMs: 5000 },
      frame(reqHeader1(19, 0, 7, 'cli'), arr([cat(str('t'), i32(3), i16(2), arr([]), arr([cat(str('retention.ms'), str('1000')), cat(str('x'), str(null))]))]), i32(5000)));
  });
  test('request v3 (validateOnly)', () => {
    checkRequest(CreateTopics, 3, { topics: [{ ...topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }], timeoutMs: 5000, validateOnly: true },
      frame(reqHeader1(19, 3, 7, 'cli'), arr([cat(str('t'), i32(-1), i16(-1), arr([cat(i32(0), arr([i32(1), i32(2)]))]), arr([]))]), i32(5000), bool(true)));
  });
  test('request v5 (flexible)', () => {
    checkRequest(CreateTopics, 5, { topics: [topic], timeoutMs: 5000, validateOnly: false },
      frame(reqHeader2(19, 5, 7, 'cli'), carr([cat(cstr('t'), i32(3), i16(2), carr([]), carr([cat(cstr('retention.ms'), cstr('1000'), NO_TAGS), cat(cstr('x'), cstr(null), NO_TAGS)]), NO_TAGS)]), i32(5000), bool(false), NO_TAGS));
  });
  test('response v0, v5 (tagged config error code), v7 (topic id)', () => {
    checkResponse(CreateTopics, 0, { topics: [{ name: 't', errorCode: 36 }] }, frame(i32(9), arr([cat(str('t'), i16(36))])));
    checkResponse(CreateTopics, 5, { throttleTimeMs: 0, topics: [{ name: 't', errorCode: 0, errorMessage: null, topicConfigErrorCode: 29, numPartitions: 3, replicationFactor: 2,
      configs: [{ name: 'a', value: 'b', readOnly: false, configSource: 5, isSensitive: false }] }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('t'), i16(0), cstr(null), i32(3), i16(2), carr([cat(cstr('a'), cstr('b'), bool(false), i8(5), bool(false), NO_TAGS)]), uv(1), uv(0), uv(2), i16(29))]), NO_TAGS));
    checkResponse(CreateTopics, 7, { throttleTimeMs: 0, topics: [{ name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 2, configs: null }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('t'), Buffer.from('00000000000000000000000000000001', 'hex'), i16(0), cstr(null), i32(3), i16(2), uv(0), NO_TAGS)]), NO_TAGS));
  });
});

describe('JoinGroup', () => {
  const meta = Buffer.from('cafe', 'hex');
  test('request v0', () => {
    checkRequest(JoinGroup, 0, { groupId: 'g', sessionTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: meta }] },
      frame(reqHeader1(11, 0, 7, 'cli'), str('g'), i32(30000), str(''), str('consumer'), arr([cat(str('range'), byt(meta))])));
  });
  test('request v5 (rebalance timeout, group instance id)', () => {
    checkRequest(JoinGroup, 5, { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: meta }] },
      frame(reqHeader1(11, 5, 7, 'cli'), str('g'), i32(30000), i32(60000), str('m'), str(null), str('consumer'), arr([cat(str('range'), byt(meta))])));
  });
  test('request v7 (flexible)', () => {
    checkRequest(JoinGroup, 7, { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'm', groupInstanceId: 'i', protocolType: 'consumer', protocols: [{ name: 'range', metadata: meta }] },
      frame(reqHeader2(11, 7, 7, 'cli'), cstr('g'), i32(30000), i32(60000), cstr('m'), cstr('i'), cstr('consumer'), carr([cat(cstr('range'), cbyt(meta), NO_TAGS)]), NO_TAGS));
  });
  test('responses v0, v5, v7', () => {
    checkResponse(JoinGroup, 0, { errorCode: 0, generationId: 1, protocolName: 'range', leader: 'm', memberId: 'm', members: [{ memberId: 'm', metadata: meta }] },
      frame(i32(9), i16(0), i32(1), str('range'), str('m'), str('m'), arr([cat(str('m'), byt(meta))])));
    checkResponse(JoinGroup, 5, { throttleTimeMs: 0, errorCode: 79, generationId: -1, protocolName: '', leader: '', memberId: 'm-1', members: [] },
      frame(i32(9), i32(0), i16(79), i32(-1), str(''), str(''), str('m-1'), arr([])));
    checkResponse(JoinGroup, 7, { throttleTimeMs: 0, errorCode: 0, generationId: 2, protocolType: 'consumer', protocolName: null, leader: 'm', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: null, metadata: meta }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), i32(2), cstr('consumer'), cstr(null), cstr('m'), cstr('m'), carr([cat(cstr('m'), cstr(null), cbyt(meta), NO_TAGS)]), NO_TAGS));
  });
});

describe('headers', () => {
  test('ControlledShutdown v0 uses request header v0 (no client id)', async () => {
    const { ControlledShutdown } = await import('../../../src/protocol/messages');
    const got = encodeRequest(ControlledShutdown, 0, { correlationId: 3, clientId: 'ignored' }, { brokerId: 2 });
    expect(got.toString('hex')).toBe(frame(i16(7), i16(0), i32(3), i32(2)).toString('hex'));
    const h = readRequestHeader(got.subarray(4));
    expect(h).toEqual({ apiKey: 7, apiVersion: 0, correlationId: 3, clientId: null, bodyOffset: 8, known: true });
    const v1 = encodeRequest(ControlledShutdown, 1, { correlationId: 3, clientId: 'c' }, { brokerId: 2 });
    expect(v1.toString('hex')).toBe(frame(reqHeader1(7, 1, 3, 'c'), i32(2)).toString('hex'));
  });
  test('flexible request header skips unknown tagged fields; null client id', () => {
    const f = cat(i16(18), i16(3), i32(11), str(null), uv(1), uv(5), uv(2), Buffer.from('zz'), cstr('n'), cstr('v'), NO_TAGS);
    const h = readRequestHeader(f);
    expect(h).toMatchObject({ apiKey: 18, apiVersion: 3, correlationId: 11, clientId: null, known: true });
    expect(decodeRequest(ApiVersions, 3, f, h.bodyOffset)).toEqual({ clientSoftwareName: 'n', clientSoftwareVersion: 'v' });
  });
  test('unknown api key or version: what can be read, known=false', () => {
    expect(readRequestHeader(cat(i16(999), i16(1), i32(5), str('x')))).toMatchObject({ apiKey: 999, apiVersion: 1, correlationId: 5, known: false });
    // ApiVersions v9 from a future client: flexible header still parsed, body left to the caller.
    const h = readRequestHeader(cat(i16(18), i16(9), i32(5), str('x'), NO_TAGS, Buffer.from('garbage')));
    expect(h).toMatchObject({ apiKey: 18, apiVersion: 9, correlationId: 5, clientId: 'x', known: false, bodyOffset: 12 });
  });
  test('unknown tagged fields in a body are skipped', () => {
    const f = cat(i32(9), i16(0), carr([]), i32(0), uv(2), uv(1), uv(8), i64(4n), uv(77), uv(3), Buffer.from('abc'));
    expect(decodeResponse(ApiVersions, 3, f).body).toMatchObject({ finalizedFeaturesEpoch: 4n, supportedFeatures: [] });
  });
});
