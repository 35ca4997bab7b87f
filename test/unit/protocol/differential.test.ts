// Differential tests against two independent client implementations: the same request written by Brook's codec
// (from a body spelled out in Kafka's field names) and by the library's own encoder must be the same bytes, and
// the library's response parsers must read Brook-encoded responses back to the values Brook wrote.
//   kafkajs 2.2.4 for the versions it implements (non-flexible: Metadata ≤6, Produce ≤7, Fetch ≤11, …);
//   @platformatic/kafka 1.35.0 for the flexible versions Kafka 3.5+ serves (Metadata 12, Fetch 13, Produce 9, …).
// Record batches stay opaque: each library builds its own batch, and Brook frames those very bytes.
// Unlike kafkajs-differential.test.ts (kafkajs bytes → Brook decode → re-encode), nothing here starts from a
// decode by Brook, so a field Brook reads and writes consistently but wrongly shows up as a difference.
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { encodeBody, encodeRequest } from '../../../src/protocol/codec';
import {
  ApiVersions, CreateTopics, DeleteTopics, DescribeConfigs, Fetch, FindCoordinator, Heartbeat, InitProducerId, JoinGroup,
  LeaveGroup, ListOffsets, Metadata, OffsetCommit, OffsetFetch, Produce, SyncGroup,
} from '../../../src/protocol/messages';
import type { ApiSchema, RequestInput, ResponseInput } from '../../../src/protocol/schema';

// ---- kafkajs ----------------------------------------------------------------------------------------------------

interface KjsRequest { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> }
type KjsFactory = (args: unknown) => KjsRequest;
type KjsDecode = (body: Buffer) => Promise<unknown>;
// kafkajs ships plain JS without types; these entry points are all the tests need.
/* eslint-disable @typescript-eslint/no-require-imports */
const kjsFrame = require('kafkajs/src/protocol/request') as (a: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>;
const kjsRequest = (api: string, v: number): KjsFactory => require(`kafkajs/src/protocol/requests/${api}/v${v}/request`) as KjsFactory;
const kjsDecode = (api: string, v: number): KjsDecode => (require(`kafkajs/src/protocol/requests/${api}/v${v}/response`) as { decode: KjsDecode }).decode;
const KjsLong = require('kafkajs/src/utils/long') as { fromValue: (v: number | string) => unknown };
const kjsRecordBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (a: Record<string, unknown>) => Promise<{ buffer: Buffer }> }).RecordBatch;
const kjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (a: Record<string, unknown>) => unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

const HDR = { correlationId: 4242, clientId: 'differential' };

/** A kafkajs request with its 4-byte size prefix and header, as kafkajs would put it on the socket. */
async function kafkajsFrame(api: string, v: number, args: unknown): Promise<Buffer> {
  const request = kjsRequest(api, v)(args);
  expect(request.apiVersion).toBe(v);
  return (await kjsFrame({ ...HDR, request })).buffer;
}

/** Brook's whole request frame for a body built per version. */
const brook = <A extends ApiSchema>(api: A, body: (v: number) => RequestInput<A>) => (v: number): Buffer => encodeRequest(api, v, HDR, body(v));

/** One record batch written by kafkajs's own RecordBatch encoder: one record, as its Produce v3+ request builds it. */
async function kafkajsBatch(key: string | null, value: string, timestamp: number, transactional: boolean): Promise<Buffer> {
  const record = kjsRecord({ key, value, offsetDelta: 0, timestampDelta: 0 });
  return (await kjsRecordBatch({ records: [record], firstTimestamp: timestamp, maxTimestamp: timestamp, producerId: KjsLong.fromValue(-1), producerEpoch: 0, transactional, lastOffsetDelta: 0 })).buffer;
}

const T0 = 1700000000000;
const produceMessages = [
  { topic: 'orders', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: T0 }] }, { partition: 3, messages: [{ key: null, value: 'x', timestamp: T0 + 1 }] }] },
  { topic: 'other', partitions: [{ partition: 1, messages: [{ key: null, value: 'y', timestamp: T0 + 2 }] }] },
];

describe('kafkajs request encoders and Brook write the same bytes', () => {
  const fetchArgs = {
    replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 10485760, isolationLevel: 1, rackId: 'rack-a',
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '10', maxBytes: 1048576 }, { partition: 1, fetchOffset: '0', maxBytes: 1024 }] }],
  };
  const fetchBody = brook(Fetch, () => ({
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 10485760, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: 'rack-a', forgottenTopicsData: [],
    topics: [{ topic: 't', partitions: [
      { partition: 0, currentLeaderEpoch: -1, fetchOffset: 10n, logStartOffset: -1n, partitionMaxBytes: 1048576 },
      { partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1024 }] }],
  }));
  const commitArgs = {
    groupId: 'g', groupGenerationId: 3, memberId: 'm-1', retentionTime: 86400000,
    topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42', timestamp: T0, metadata: null }, { partition: 1, offset: '7', timestamp: T0, metadata: 'md' }] }],
  };
  const commitBody = brook(OffsetCommit, () => ({
    groupId: 'g', generationId: 3, memberId: 'm-1', retentionTimeMs: 86400000n,
    topics: [{ name: 't', partitions: [
      { partitionIndex: 0, committedOffset: 42n, commitTimestamp: BigInt(T0), committedMetadata: null },
      { partitionIndex: 1, committedOffset: 7n, commitTimestamp: BigInt(T0), committedMetadata: 'md' }] }],
  }));
  const createTopicsArgs = {
    topics: [
      { topic: 'a', numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'b', replicaAssignment: [{ partition: 0, replicas: [1, 2] }, { partition: 1, replicas: [2, 3] }] },
    ],
    timeout: 5000, validateOnly: true,
  };
  const createTopicsBody = brook(CreateTopics, () => ({
    topics: [
      { name: 'a', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
      { name: 'b', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }, { partitionIndex: 1, brokerIds: [2, 3] }], configs: [] },
    ],
    timeoutMs: 5000, validateOnly: true,
  }));
  const joinArgs = {
    groupId: 'group-1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: 'm-1', groupInstanceId: 'instance-1', protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }, { name: 'RangeAssigner', metadata: Buffer.from('') }],
  };
  const joinBody = brook(JoinGroup, () => ({
    groupId: 'group-1', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'm-1', groupInstanceId: 'instance-1', protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }, { name: 'RangeAssigner', metadata: Buffer.alloc(0) }],
  }));

  const cases: Array<[string, number[], unknown, (v: number) => Buffer]> = [
    ['metadata', [0, 1, 2, 3, 4, 5, 6], { topics: ['a', 'b'], allowAutoTopicCreation: false },
      brook(Metadata, () => ({ topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false }))],
    // kafkajs asks for all topics with an empty list: [] at v0 (all topics in v0), a null list from v1 on (KIP-204).
    ['metadata', [0, 1, 4, 6], { topics: [] }, brook(Metadata, (v) => ({ topics: v === 0 ? [] : null, allowAutoTopicCreation: true }))],
    ['apiVersions', [0, 1, 2], {}, brook(ApiVersions, () => ({}))],
    ['fetch', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], fetchArgs, fetchBody],
    ['listOffsets', [0, 1, 2, 3], { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -1 }, { partition: 1, timestamp: T0 }] }] },
      brook(ListOffsets, () => ({ replicaId: -1, isolationLevel: 1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }, { partitionIndex: 1, timestamp: BigInt(T0), maxNumOffsets: 1 }] }] }))],
    ['offsetCommit', [0, 1, 2, 3, 4, 5], commitArgs, commitBody],
    ['offsetFetch', [1, 2, 3, 4], { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 2 }] }] },
      brook(OffsetFetch, () => ({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 2] }] }))],
    ['findCoordinator', [0], { groupId: 'g' }, brook(FindCoordinator, () => ({ key: 'g' }))],
    ['findCoordinator', [1, 2], { coordinatorKey: 'tx-1', coordinatorType: 1 }, brook(FindCoordinator, () => ({ key: 'tx-1', keyType: 1 }))],
    ['joinGroup', [0, 1, 2, 3, 4, 5], joinArgs, joinBody],
    ['syncGroup', [0, 1, 2, 3], { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: 'i-1', groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from('assign') }, { memberId: 'm-2', memberAssignment: Buffer.from('') }] },
      brook(SyncGroup, () => ({ groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: 'i-1', assignments: [{ memberId: 'm-1', assignment: Buffer.from('assign') }, { memberId: 'm-2', assignment: Buffer.alloc(0) }] }))],
    ['heartbeat', [0, 1, 2, 3], { groupId: 'g', groupGenerationId: 2, memberId: 'm', groupInstanceId: 'i-1' },
      brook(Heartbeat, () => ({ groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: 'i-1' }))],
    ['leaveGroup', [0, 1, 2], { groupId: 'g', memberId: 'm' }, brook(LeaveGroup, () => ({ groupId: 'g', memberId: 'm' }))],
    ['leaveGroup', [3], { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: 'i-1' }, { memberId: 'n' }] },
      brook(LeaveGroup, () => ({ groupId: 'g', members: [{ memberId: 'm', groupInstanceId: 'i-1' }, { memberId: 'n', groupInstanceId: null }] }))],
    ['createTopics', [0, 1, 2, 3], createTopicsArgs, createTopicsBody],
    // kafkajs implements DeleteTopics v0-v1 only.
    ['deleteTopics', [0, 1], { topics: ['a', 'b'], timeout: 3000 }, brook(DeleteTopics, () => ({ topicNames: ['a', 'b'], timeoutMs: 3000 }))],
    // kafkajs writes an empty key list as a null array (all keys), the only way it can ask for all of them.
    ['describeConfigs', [0, 1, 2], { resources: [{ type: 2, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }, { type: 4, name: '1', configNames: [] }], includeSynonyms: true },
      brook(DescribeConfigs, () => ({ resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'cleanup.policy'] }, { resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: true }))],
    ['initProducerId', [0, 1], { transactionalId: 'tx-1', transactionTimeout: 60000 }, brook(InitProducerId, () => ({ transactionalId: 'tx-1', transactionTimeoutMs: 60000 }))],
    ['initProducerId', [0, 1], { transactionalId: null, transactionTimeout: 60000 }, brook(InitProducerId, () => ({ transactionalId: null, transactionTimeoutMs: 60000 }))],
  ];
  describe.each(cases)('%s', (name, versions, args, brookFrame) => {
    test.each(versions)('v%i', async (v) => {
      const theirs = await kafkajsFrame(name, v, args);
      expect(brookFrame(v).toString('hex')).toBe(theirs.toString('hex'));
    });
  });

  test.each([3, 4, 5, 6, 7])('produce v%i (kafkajs record batches framed by Brook)', async (v) => {
    for (const tx of [null, 'tx-1']) {
      const transactional = tx !== null;
      const batches = {
        o0: await kafkajsBatch('k', 'v', T0, transactional),
        o3: await kafkajsBatch(null, 'x', T0 + 1, transactional),
        p1: await kafkajsBatch(null, 'y', T0 + 2, transactional),
      };
      const theirs = await kafkajsFrame('produce', v, { acks: -1, timeout: 1000, transactionalId: tx, topicData: produceMessages });
      const ours = encodeRequest(Produce, v, HDR, {
        transactionalId: tx, acks: -1, timeoutMs: 1000,
        topicData: [
          { name: 'orders', partitionData: [{ index: 0, records: batches.o0 }, { index: 3, records: batches.o3 }] },
          { name: 'other', partitionData: [{ index: 1, records: batches.p1 }] },
        ],
      });
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    }
  });
});

// Responses: Brook encodes a body, kafkajs's decode reads it (the body after the correlation id).
const resp = <A extends ApiSchema>(api: A, v: number, body: ResponseInput<A>): Buffer => encodeBody(api, v, 'response', body);

describe('kafkajs response decoders read Brook-encoded responses', () => {
  const brokers = [{ nodeId: 1, host: 'b1.example', port: 9092, rack: 'r1' }, { nodeId: 2, host: 'b2.example', port: 9093, rack: null }];
  const mdTopics = [{ errorCode: 0, name: 'orders', isInternal: false, topicAuthorizedOperations: -2147483648, partitions: [
    { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] },
    { errorCode: 9, partitionIndex: 1, leaderId: -1, leaderEpoch: 2, replicaNodes: [2], isrNodes: [], offlineReplicas: [] }] }];
  const metadata = (v: number): Buffer => resp(Metadata, v, { throttleTimeMs: 7, brokers, clusterId: 'cluster-x', controllerId: 2, topics: mdTopics });
  const kjsPartitions = (offline: boolean) => [
    { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1], ...(offline ? { offlineReplicas: [2] } : {}) },
    { partitionErrorCode: 9, partitionId: 1, leader: -1, replicas: [2], isr: [], ...(offline ? { offlineReplicas: [] } : {}) },
  ];

  test('Metadata v0', async () => {
    expect(await kjsDecode('metadata', 0)(metadata(0))).toEqual({
      brokers: [{ nodeId: 1, host: 'b1.example', port: 9092 }, { nodeId: 2, host: 'b2.example', port: 9093 }],
      topicMetadata: [{ topicErrorCode: 0, topic: 'orders', partitionMetadata: kjsPartitions(false) }],
    });
  });
  test('Metadata v1, v2', async () => {
    const topicMetadata = [{ topicErrorCode: 0, topic: 'orders', isInternal: false, partitionMetadata: kjsPartitions(false) }];
    expect(await kjsDecode('metadata', 1)(metadata(1))).toEqual({ brokers, controllerId: 2, topicMetadata });
    expect(await kjsDecode('metadata', 2)(metadata(2))).toEqual({ brokers, clusterId: 'cluster-x', controllerId: 2, topicMetadata });
  });
  test('Metadata v3, v4, v5, v6', async () => {
    const topicMetadata = [{ topicErrorCode: 0, topic: 'orders', isInternal: false, partitionMetadata: kjsPartitions(false) }];
    for (const v of [3, 4]) expect(await kjsDecode('metadata', v)(metadata(v))).toEqual({ throttleTime: 7, brokers, clusterId: 'cluster-x', controllerId: 2, topicMetadata });
    const offline = [{ topicErrorCode: 0, topic: 'orders', isInternal: false, partitionMetadata: kjsPartitions(true) }];
    expect(await kjsDecode('metadata', 5)(metadata(5))).toEqual({ throttleTime: 7, brokers, clusterId: 'cluster-x', controllerId: 2, topicMetadata: offline });
    expect(await kjsDecode('metadata', 6)(metadata(6))).toEqual({ throttleTime: 0, clientSideThrottleTime: 7, brokers, clusterId: 'cluster-x', controllerId: 2, topicMetadata: offline });
  });

  test('ApiVersions v0, v1, v2', async () => {
    const apiKeys = [{ apiKey: 0, minVersion: 0, maxVersion: 9 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }];
    expect(await kjsDecode('apiVersions', 0)(resp(ApiVersions, 0, { errorCode: 0, apiKeys }))).toEqual({ errorCode: 0, apiVersions: apiKeys });
    expect(await kjsDecode('apiVersions', 1)(resp(ApiVersions, 1, { errorCode: 0, apiKeys, throttleTimeMs: 5 }))).toEqual({ errorCode: 0, apiVersions: apiKeys, throttleTime: 5 });
    expect(await kjsDecode('apiVersions', 2)(resp(ApiVersions, 2, { errorCode: 0, apiKeys, throttleTimeMs: 5 }))).toEqual({ errorCode: 0, apiVersions: apiKeys, throttleTime: 0, clientSideThrottleTime: 5 });
  });

  test('ListOffsets v0 (old-style offsets), v1, v2, v3', async () => {
    const v0 = resp(ListOffsets, 0, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [100n, 0n] }] }] });
    expect(await kjsDecode('listOffsets', 0)(v0)).toEqual({ responses: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, offsets: ['100', '0'] }] }] });
    const body = { throttleTimeMs: 4, topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0, timestamp: BigInt(T0), offset: 9007199254740993n }] }] };
    const partitions = [{ partition: 1, errorCode: 0, timestamp: String(T0), offset: '9007199254740993' }];
    expect(await kjsDecode('listOffsets', 1)(resp(ListOffsets, 1, body))).toEqual({ responses: [{ topic: 't', partitions }] });
    expect(await kjsDecode('listOffsets', 2)(resp(ListOffsets, 2, body))).toEqual({ throttleTime: 4, responses: [{ topic: 't', partitions }] });
    expect(await kjsDecode('listOffsets', 3)(resp(ListOffsets, 3, body))).toEqual({ throttleTime: 0, clientSideThrottleTime: 4, responses: [{ topic: 't', partitions }] });
  });

  test('Produce v3, v5, v7', async () => {
    const body = { throttleTimeMs: 2, responses: [{ name: 'orders', partitionResponses: [{ index: 3, errorCode: 0, baseOffset: 42n, logAppendTimeMs: BigInt(T0), logStartOffset: 5n }] }] };
    expect(await kjsDecode('produce', 3)(resp(Produce, 3, body))).toEqual({ topics: [{ topicName: 'orders', partitions: [{ partition: 3, errorCode: 0, baseOffset: '42', logAppendTime: String(T0) }] }], throttleTime: 2 });
    const p5 = [{ partition: 3, errorCode: 0, baseOffset: '42', logAppendTime: String(T0), logStartOffset: '5' }];
    expect(await kjsDecode('produce', 5)(resp(Produce, 5, body))).toEqual({ topics: [{ topicName: 'orders', partitions: p5 }], throttleTime: 2 });
    expect(await kjsDecode('produce', 7)(resp(Produce, 7, body))).toMatchObject({ topics: [{ topicName: 'orders', partitions: p5 }], clientSideThrottleTime: 2 });
  });

  test('Fetch v4 and v11 with a kafkajs record batch', async () => {
    const batch = await kafkajsBatch('k', 'hello', T0, false);
    const partition = { partition: 0, errorCode: 0, highWatermark: 11n, lastStableOffset: 10n, logStartOffset: 3n, preferredReadReplica: 2,
      abortedTransactions: [{ producerId: 77n, firstOffset: 5n }], recordSet: batch };
    const body = { throttleTimeMs: 6, errorCode: 0, sessionId: 12, responses: [{ topic: 't', partitionResponses: [partition] }] };
    const message = { offset: '0', key: Buffer.from('k'), value: Buffer.from('hello'), timestamp: String(T0) };
    const kjsPartition = { partition: 0, errorCode: 0, highWatermark: '11', lastStableOffset: '10', abortedTransactions: [{ producerId: '77', firstOffset: '5' }], messages: [expect.objectContaining(message)] };
    expect(await kjsDecode('fetch', 4)(resp(Fetch, 4, body))).toEqual({ throttleTime: 6, responses: [{ topicName: 't', partitions: [kjsPartition] }] });
    expect(await kjsDecode('fetch', 11)(resp(Fetch, 11, body))).toEqual({
      throttleTime: 0, clientSideThrottleTime: 6, errorCode: 0, sessionId: 12,
      // kafkajs 2.2.4 names the log start offset `lastStartOffset` in Fetch v5+ responses.
      responses: [{ topicName: 't', partitions: [{ ...kjsPartition, lastStartOffset: '3', preferredReadReplica: 2 }] }],
    });
  });

  test('OffsetCommit v0, v3; OffsetFetch v1, v2, v3, v4', async () => {
    const commit = { throttleTimeMs: 3, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }] }] };
    const kjsCommit = [{ topic: 't', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 22 }] }];
    expect(await kjsDecode('offsetCommit', 0)(resp(OffsetCommit, 0, commit))).toEqual({ responses: kjsCommit });
    expect(await kjsDecode('offsetCommit', 3)(resp(OffsetCommit, 3, commit))).toEqual({ throttleTime: 3, responses: kjsCommit });
    const fetched = { throttleTimeMs: 3, errorCode: 0, topics: [{ name: 't', partitions: [
      { partitionIndex: 0, committedOffset: 42n, metadata: 'md', errorCode: 0 }, { partitionIndex: 2, committedOffset: -1n, metadata: null, errorCode: 0 }] }] };
    const kjsFetched = [{ topic: 't', partitions: [{ partition: 0, offset: '42', metadata: 'md', errorCode: 0 }, { partition: 2, offset: '-1', metadata: null, errorCode: 0 }] }];
    expect(await kjsDecode('offsetFetch', 1)(resp(OffsetFetch, 1, fetched))).toEqual({ responses: kjsFetched });
    expect(await kjsDecode('offsetFetch', 2)(resp(OffsetFetch, 2, fetched))).toEqual({ responses: kjsFetched, errorCode: 0 });
    expect(await kjsDecode('offsetFetch', 3)(resp(OffsetFetch, 3, fetched))).toEqual({ throttleTime: 3, responses: kjsFetched, errorCode: 0 });
    expect(await kjsDecode('offsetFetch', 4)(resp(OffsetFetch, 4, fetched))).toEqual({ throttleTime: 0, clientSideThrottleTime: 3, responses: kjsFetched, errorCode: 0 });
  });

  test('FindCoordinator v0, v1, v2', async () => {
    const body = { throttleTimeMs: 1, errorCode: 0, errorMessage: null, nodeId: 3, host: 'b3.example', port: 9094 };
    const coordinator = { nodeId: 3, host: 'b3.example', port: 9094 };
    expect(await kjsDecode('findCoordinator', 0)(resp(FindCoordinator, 0, body))).toEqual({ errorCode: 0, coordinator });
    expect(await kjsDecode('findCoordinator', 1)(resp(FindCoordinator, 1, body))).toEqual({ throttleTime: 1, errorCode: 0, errorMessage: null, coordinator });
    expect(await kjsDecode('findCoordinator', 2)(resp(FindCoordinator, 2, body))).toMatchObject({ clientSideThrottleTime: 1, errorCode: 0, errorMessage: null, coordinator });
  });

  test('JoinGroup v0, v2, v5; SyncGroup v0, v1, v3; Heartbeat v0, v1, v3; LeaveGroup v0, v1, v3', async () => {
    const join = { throttleTimeMs: 8, errorCode: 0, generationId: 5, protocolName: 'RoundRobinAssigner', leader: 'm-1', memberId: 'm-2',
      members: [{ memberId: 'm-1', groupInstanceId: 'i-1', metadata: Buffer.from('meta-1') }, { memberId: 'm-2', groupInstanceId: null, metadata: Buffer.from('meta-2') }] };
    const kjsJoin = { errorCode: 0, generationId: 5, groupProtocol: 'RoundRobinAssigner', leaderId: 'm-1', memberId: 'm-2' };
    const kjsMembers = [{ memberId: 'm-1', memberMetadata: Buffer.from('meta-1') }, { memberId: 'm-2', memberMetadata: Buffer.from('meta-2') }];
    expect(await kjsDecode('joinGroup', 0)(resp(JoinGroup, 0, join))).toEqual({ ...kjsJoin, members: kjsMembers });
    expect(await kjsDecode('joinGroup', 2)(resp(JoinGroup, 2, join))).toEqual({ throttleTime: 8, ...kjsJoin, members: kjsMembers });
    expect(await kjsDecode('joinGroup', 5)(resp(JoinGroup, 5, join))).toEqual({
      throttleTime: 0, clientSideThrottleTime: 8, ...kjsJoin,
      members: [{ ...kjsMembers[0], groupInstanceId: 'i-1' }, { ...kjsMembers[1], groupInstanceId: null }],
    });
    const sync = { throttleTimeMs: 8, errorCode: 0, assignment: Buffer.from('assignment') };
    expect(await kjsDecode('syncGroup', 0)(resp(SyncGroup, 0, sync))).toEqual({ errorCode: 0, memberAssignment: Buffer.from('assignment') });
    expect(await kjsDecode('syncGroup', 1)(resp(SyncGroup, 1, sync))).toEqual({ throttleTime: 8, errorCode: 0, memberAssignment: Buffer.from('assignment') });
    expect(await kjsDecode('syncGroup', 3)(resp(SyncGroup, 3, sync))).toEqual({ throttleTime: 0, clientSideThrottleTime: 8, errorCode: 0, memberAssignment: Buffer.from('assignment') });
    expect(await kjsDecode('heartbeat', 0)(resp(Heartbeat, 0, { errorCode: 0 }))).toEqual({ errorCode: 0 });
    expect(await kjsDecode('heartbeat', 1)(resp(Heartbeat, 1, { throttleTimeMs: 8, errorCode: 0 }))).toEqual({ throttleTime: 8, errorCode: 0 });
    expect(await kjsDecode('heartbeat', 3)(resp(Heartbeat, 3, { throttleTimeMs: 8, errorCode: 0 }))).toEqual({ throttleTime: 0, clientSideThrottleTime: 8, errorCode: 0 });
    expect(await kjsDecode('leaveGroup', 0)(resp(LeaveGroup, 0, { errorCode: 0 }))).toEqual({ errorCode: 0 });
    expect(await kjsDecode('leaveGroup', 1)(resp(LeaveGroup, 1, { throttleTimeMs: 8, errorCode: 0 }))).toEqual({ throttleTime: 8, errorCode: 0 });
    const leave = { throttleTimeMs: 8, errorCode: 0, members: [{ memberId: 'm-1', groupInstanceId: 'i-1', errorCode: 0 }, { memberId: 'm-2', groupInstanceId: null, errorCode: 25 }] };
    expect(await kjsDecode('leaveGroup', 3)(resp(LeaveGroup, 3, leave))).toEqual({ throttleTime: 0, clientSideThrottleTime: 8, errorCode: 0, members: leave.members });
  });

  test('CreateTopics v0, v1, v2, v3; DeleteTopics v0, v1', async () => {
    const created = { throttleTimeMs: 9, topics: [{ name: 'a', errorCode: 0, errorMessage: null }, { name: 'b', errorCode: 36, errorMessage: 'exists' }] };
    expect(await kjsDecode('createTopics', 0)(resp(CreateTopics, 0, created))).toEqual({ topicErrors: [{ topic: 'a', errorCode: 0 }, { topic: 'b', errorCode: 36 }] });
    const withMessages = [{ topic: 'a', errorCode: 0, errorMessage: null }, { topic: 'b', errorCode: 36, errorMessage: 'exists' }];
    expect(await kjsDecode('createTopics', 1)(resp(CreateTopics, 1, created))).toEqual({ topicErrors: withMessages });
    expect(await kjsDecode('createTopics', 2)(resp(CreateTopics, 2, created))).toEqual({ throttleTime: 9, topicErrors: withMessages });
    expect(await kjsDecode('createTopics', 3)(resp(CreateTopics, 3, created))).toEqual({ throttleTime: 0, clientSideThrottleTime: 9, topicErrors: withMessages });
    const deleted = { throttleTimeMs: 9, responses: [{ name: 'a', errorCode: 0 }, { name: 'b', errorCode: 3 }] };
    const kjsDeleted = [{ topic: 'a', errorCode: 0 }, { topic: 'b', errorCode: 3 }];
    expect(await kjsDecode('deleteTopics', 0)(resp(DeleteTopics, 0, deleted))).toEqual({ topicErrors: kjsDeleted });
    expect(await kjsDecode('deleteTopics', 1)(resp(DeleteTopics, 1, deleted))).toEqual({ throttleTime: 0, clientSideThrottleTime: 9, topicErrors: kjsDeleted });
  });

  test('DescribeConfigs v0, v1, v2', async () => {
    const body = (v: number) => resp(DescribeConfigs, v, { throttleTimeMs: 4, results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', configs: [
      { name: 'retention.ms', value: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false,
        synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }, { name: 'log.retention.ms', value: null, source: 5 }] },
      { name: 'secret', value: null, readOnly: true, isDefault: true, configSource: 5, isSensitive: true, synonyms: [] }] }] });
    const v0 = await kjsDecode('describeConfigs', 0)(body(0));
    expect(v0).toMatchObject({ throttleTime: 4, resources: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', configEntries: [
      { configName: 'retention.ms', configValue: '1000', readOnly: false, isDefault: false, isSensitive: false },
      { configName: 'secret', configValue: null, readOnly: true, isDefault: true, isSensitive: true }] }] });
    const entries = [
      { configName: 'retention.ms', configValue: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false,
        configSynonyms: [{ configName: 'retention.ms', configValue: '1000', configSource: 1 }, { configName: 'log.retention.ms', configValue: null, configSource: 5 }] },
      { configName: 'secret', configValue: null, readOnly: true, isDefault: true, configSource: 5, isSensitive: true, configSynonyms: [] }];
    const resources = [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', configEntries: entries }];
    expect(await kjsDecode('describeConfigs', 1)(body(1))).toEqual({ throttleTime: 4, resources });
    expect(await kjsDecode('describeConfigs', 2)(body(2))).toEqual({ throttleTime: 0, clientSideThrottleTime: 4, resources });
  });

  test('InitProducerId v0, v1', async () => {
    const body = { throttleTimeMs: 1, errorCode: 0, producerId: 4000000000n, producerEpoch: 3 };
    expect(await kjsDecode('initProducerId', 0)(resp(InitProducerId, 0, body))).toEqual({ throttleTime: 1, errorCode: 0, producerId: '4000000000', producerEpoch: 3 });
    expect(await kjsDecode('initProducerId', 1)(resp(InitProducerId, 1, body))).toEqual({ throttleTime: 0, clientSideThrottleTime: 1, errorCode: 0, producerId: '4000000000', producerEpoch: 3 });
  });
});
