// Golden bytes of the admin APIs at the versions Kafka 3.x serves in ZooKeeper mode, written by hand from Kafka's
// message specs (field order, compact encodings, tag sections), compared with the codec's output.
import {
  AlterConfigs, ApiVersions, CreatePartitions, DeleteRecords, DescribeCluster, DescribeConfigs, DescribeLogDirs, DescribeProducers, ElectLeaders,
  IncrementalAlterConfigs,
} from '../../../src/protocol/messages';
import { arr, bool, carr, cat, checkRequest, checkResponse, cstr, frame, i16, i32, i64, i8, NO_TAGS, reqHeader1, reqHeader2, str, uv } from './wireBytes';

describe('DeleteRecords', () => {
  test('request v2 (flexible)', () => {
    checkRequest(DeleteRecords, 2, { topics: [{ name: 't', partitions: [{ partitionIndex: 1, offset: 5n }] }], timeoutMs: 3000 },
      frame(reqHeader2(21, 2, 7, 'cli'), carr([cat(cstr('t'), carr([cat(i32(1), i64(5n), NO_TAGS)]), NO_TAGS)]), i32(3000), NO_TAGS));
  });
  test('response v2', () => {
    checkResponse(DeleteRecords, 2, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 1, lowWatermark: 5n, errorCode: 0 }] }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('t'), carr([cat(i32(1), i64(5n), i16(0), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
});

describe('CreatePartitions', () => {
  test('request v3 (as v2: flexible, null assignments)', () => {
    checkRequest(CreatePartitions, 3, { topics: [
      { name: 'a', count: 3, assignments: null },
      { name: 'b', count: 2, assignments: [{ brokerIds: [1, 2] }] },
    ], timeoutMs: 100, validateOnly: true },
    frame(reqHeader2(37, 3, 7, 'cli'), carr([
      cat(cstr('a'), i32(3), carr(null), NO_TAGS),
      cat(cstr('b'), i32(2), carr([cat(carr([i32(1), i32(2)]), NO_TAGS)]), NO_TAGS),
    ]), i32(100), bool(true), NO_TAGS));
  });
  test('response v3', () => {
    checkResponse(CreatePartitions, 3, { throttleTimeMs: 0, results: [{ name: 'a', errorCode: 0, errorMessage: null }, { name: 'b', errorCode: 42, errorMessage: 'Duplicate topic in request.' }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('a'), i16(0), cstr(null), NO_TAGS), cat(cstr('b'), i16(42), cstr('Duplicate topic in request.'), NO_TAGS)]), NO_TAGS));
  });
});

describe('DescribeConfigs', () => {
  test('request v4: flexible, synonyms and documentation flags', () => {
    checkRequest(DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }, { resourceType: 4, resourceName: '1', configurationKeys: null }],
      includeSynonyms: true, includeDocumentation: true },
    frame(reqHeader2(32, 4, 7, 'cli'), carr([
      cat(i8(2), cstr('t'), carr([cstr('retention.ms')]), NO_TAGS),
      cat(i8(4), cstr('1'), carr(null), NO_TAGS),
    ]), bool(true), bool(true), NO_TAGS));
  });
  test('request v3: the last non-flexible version, with includeDocumentation', () => {
    checkRequest(DescribeConfigs, 3, { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }], includeSynonyms: false, includeDocumentation: true },
      frame(reqHeader1(32, 3, 7, 'cli'), arr([cat(i8(2), str('t'), i32(-1))]), bool(false), bool(true)));
  });
  test('response v4: no isDefault; source, sensitivity, synonyms, then type and documentation', () => {
    checkResponse(DescribeConfigs, 4, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [
      { name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false,
        synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }, { name: 'log.retention.hours', value: '168', source: 5 }], configType: 5, documentation: 'doc' },
      { name: 'x', value: null, readOnly: true, configSource: 4, isSensitive: true, synonyms: [], configType: 9, documentation: null },
    ] }] },
    frame(i32(9), NO_TAGS, i32(0), carr([cat(i16(0), cstr(null), i8(2), cstr('t'), carr([
      cat(cstr('retention.ms'), cstr('1000'), bool(false), i8(1), bool(false),
        carr([cat(cstr('retention.ms'), cstr('1000'), i8(1), NO_TAGS), cat(cstr('log.retention.hours'), cstr('168'), i8(5), NO_TAGS)]), i8(5), cstr('doc'), NO_TAGS),
      cat(cstr('x'), cstr(null), bool(true), i8(4), bool(true), carr([]), i8(9), cstr(null), NO_TAGS),
    ]), NO_TAGS)]), NO_TAGS));
  });
});

describe('AlterConfigs', () => {
  test('request v2 (flexible)', () => {
    checkRequest(AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1' }, { name: 'x', value: null }] }], validateOnly: false },
      frame(reqHeader2(33, 2, 7, 'cli'), carr([cat(i8(2), cstr('t'), carr([cat(cstr('retention.ms'), cstr('1'), NO_TAGS), cat(cstr('x'), cstr(null), NO_TAGS)]), NO_TAGS)]), bool(false), NO_TAGS));
  });
  test('response v2', () => {
    checkResponse(AlterConfigs, 2, { throttleTimeMs: 0, responses: [{ errorCode: 42, errorMessage: 'bad', resourceType: 2, resourceName: 't' }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(i16(42), cstr('bad'), i8(2), cstr('t'), NO_TAGS)]), NO_TAGS));
  });
});

describe('IncrementalAlterConfigs', () => {
  test('request v1 (flexible): the operation between name and value', () => {
    checkRequest(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 1, value: null }] }], validateOnly: true },
      frame(reqHeader2(44, 1, 7, 'cli'), carr([cat(i8(4), cstr(''), carr([cat(cstr('log.retention.ms'), i8(1), cstr(null), NO_TAGS)]), NO_TAGS)]), bool(true), NO_TAGS));
  });
  test('response v1', () => {
    checkResponse(IncrementalAlterConfigs, 1, { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 4, resourceName: '' }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(i16(0), cstr(null), i8(4), cstr(''), NO_TAGS)]), NO_TAGS));
  });
});

describe('ElectLeaders', () => {
  test('request v2: election type first, null partitions = all', () => {
    checkRequest(ElectLeaders, 2, { electionType: 0, topicPartitions: null, timeoutMs: 60000 },
      frame(reqHeader2(43, 2, 7, 'cli'), i8(0), carr(null), i32(60000), NO_TAGS));
    checkRequest(ElectLeaders, 2, { electionType: 1, topicPartitions: [{ topic: 't', partitionId: [0, 2] }], timeoutMs: 5 },
      frame(reqHeader2(43, 2, 7, 'cli'), i8(1), carr([cat(cstr('t'), carr([i32(0), i32(2)]), NO_TAGS)]), i32(5), NO_TAGS));
  });
  test('response v2: top-level error code, then results per topic', () => {
    checkResponse(ElectLeaders, 2, { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: 84, errorMessage: 'none' }] }] },
      frame(i32(9), NO_TAGS, i32(0), i16(0), carr([cat(cstr('t'), carr([cat(i32(0), i16(84), cstr('none'), NO_TAGS)]), NO_TAGS)]), NO_TAGS));
  });
});

describe('DescribeLogDirs', () => {
  const partition = { partitionIndex: 0, partitionSize: 100n, offsetLag: 0n, isFutureKey: false };
  const partitionBytes = cat(i32(0), i64(100n), i64(0n), bool(false), NO_TAGS);
  test('request v4 (as v2: flexible, null topics = all)', () => {
    checkRequest(DescribeLogDirs, 4, { topics: null }, frame(reqHeader2(35, 4, 7, 'cli'), carr(null), NO_TAGS));
    checkRequest(DescribeLogDirs, 4, { topics: [{ topic: 't', partitionIndex: [0] }] },
      frame(reqHeader2(35, 4, 7, 'cli'), carr([cat(cstr('t'), carr([i32(0)]), NO_TAGS)]), NO_TAGS));
  });
  test('response v3: top-level error code after the throttle time', () => {
    checkResponse(DescribeLogDirs, 3, { throttleTimeMs: 0, errorCode: 31, results: [] },
      frame(i32(9), NO_TAGS, i32(0), i16(31), carr([]), NO_TAGS));
  });
  test('response v4: total and usable bytes after each directory\'s topics (KIP-827)', () => {
    checkResponse(DescribeLogDirs, 4, { throttleTimeMs: 0, errorCode: 0, results: [
      { errorCode: 0, logDir: '/d', topics: [{ name: 't', partitions: [partition] }], totalBytes: 1000n, usableBytes: 400n },
      { errorCode: 56, logDir: '/e', topics: [], totalBytes: -1n, usableBytes: -1n },
    ] },
    frame(i32(9), NO_TAGS, i32(0), i16(0), carr([
      cat(i16(0), cstr('/d'), carr([cat(cstr('t'), carr([partitionBytes]), NO_TAGS)]), i64(1000n), i64(400n), NO_TAGS),
      cat(i16(56), cstr('/e'), carr([]), i64(-1n), i64(-1n), NO_TAGS),
    ]), NO_TAGS));
  });
  test('response v2 has neither', () => {
    checkResponse(DescribeLogDirs, 2, { throttleTimeMs: 0, results: [{ errorCode: 0, logDir: '/d', topics: [] }] },
      frame(i32(9), NO_TAGS, i32(0), carr([cat(i16(0), cstr('/d'), carr([]), NO_TAGS)]), NO_TAGS));
  });
});

describe('DescribeCluster', () => {
  test('request v0 (flexible only)', () => {
    checkRequest(DescribeCluster, 0, { includeClusterAuthorizedOperations: true }, frame(reqHeader2(60, 0, 7, 'cli'), bool(true), NO_TAGS));
  });
  test('response v0: error, cluster id, controller, brokers with racks, authorized operations', () => {
    checkResponse(DescribeCluster, 0, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, clusterId: 'c1', controllerId: 2,
      brokers: [{ brokerId: 1, host: 'h1', port: 9092, rack: null }, { brokerId: 2, host: 'h2', port: 9093, rack: 'r' }], clusterAuthorizedOperations: -2147483648 },
    frame(i32(9), NO_TAGS, i32(0), i16(0), cstr(null), cstr('c1'), i32(2), carr([
      cat(i32(1), cstr('h1'), i32(9092), cstr(null), NO_TAGS),
      cat(i32(2), cstr('h2'), i32(9093), cstr('r'), NO_TAGS),
    ]), i32(-2147483648), NO_TAGS));
  });
});

describe('DescribeProducers', () => {
  test('request v0 (flexible only)', () => {
    checkRequest(DescribeProducers, 0, { topics: [{ name: 't', partitionIndexes: [0, 1] }] },
      frame(reqHeader2(61, 0, 7, 'cli'), carr([cat(cstr('t'), carr([i32(0), i32(1)]), NO_TAGS)]), NO_TAGS));
  });
  test('response v0: per partition error, message and producer states', () => {
    checkResponse(DescribeProducers, 0, { throttleTimeMs: 0, topics: [{ name: 't', partitions: [
      { partitionIndex: 0, errorCode: 0, errorMessage: null, activeProducers: [
        { producerId: 1000n, producerEpoch: 0, lastSequence: 9, lastTimestamp: 1700000000000n, coordinatorEpoch: -1, currentTxnStartOffset: -1n },
      ] },
      { partitionIndex: 1, errorCode: 6, errorMessage: null, activeProducers: [] },
    ] }] },
    frame(i32(9), NO_TAGS, i32(0), carr([cat(cstr('t'), carr([
      cat(i32(0), i16(0), cstr(null), carr([cat(i64(1000n), i32(0), i32(9), i64(1700000000000n), i32(-1), i64(-1n), NO_TAGS)]), NO_TAGS),
      cat(i32(1), i16(6), cstr(null), carr([]), NO_TAGS),
    ]), NO_TAGS)]), NO_TAGS));
  });
});

describe('ApiVersions v3 as a Kafka 3.x ZooKeeper-mode broker answers', () => {
  test('features left at their defaults write no tag at all', () => {
    checkResponse(ApiVersions, 3, { errorCode: 0, apiKeys: [{ apiKey: 60, minVersion: 0, maxVersion: 0 }], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false },
      frame(i32(9), i16(0), carr([cat(i16(60), i16(0), i16(0), NO_TAGS)]), i32(0), NO_TAGS));
  });
  test('every tag, in tag order: supported 0, epoch 1, finalized 2, ZkMigrationReady 3', () => {
    checkResponse(ApiVersions, 3, { errorCode: 0, apiKeys: [], throttleTimeMs: 0,
      supportedFeatures: [{ name: 'f', minVersion: 1, maxVersion: 2 }], finalizedFeaturesEpoch: 0n,
      finalizedFeatures: [{ name: 'f', maxVersionLevel: 2, minVersionLevel: 1 }], zkMigrationReady: true },
    frame(i32(9), i16(0), carr([]), i32(0), uv(4),
      uv(0), uv(8), carr([cat(cstr('f'), i16(1), i16(2), NO_TAGS)]),
      uv(1), uv(8), i64(0n),
      uv(2), uv(8), carr([cat(cstr('f'), i16(2), i16(1), NO_TAGS)]),
      uv(3), uv(1), bool(true)));
  });
});
