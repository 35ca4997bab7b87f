// Differential tests: bytes written by kafkajs's own request encoders decode with our codec and
// re-encode byte for byte (an independent implementation checks field order, types and versions).
import { decodeRequest, encodeRequest, readRequestHeader } from '../../../src/protocol/codec';
import { apisByKey } from '../../../src/protocol/messages';

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  encode: () => Promise<unknown>;
}
interface KjsEncoder {
  buffer: Buffer;
}
type KjsFactory = (args: unknown) => KjsRequest;

// kafkajs ships plain JS without types; these two entry points are all the test needs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kjsFrame = require('kafkajs/src/protocol/request') as (a: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<KjsEncoder>;
const kjs = (api: string, v: number): KjsFactory =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(`kafkajs/src/protocol/requests/${api}/v${v}/request`) as KjsFactory;

const produceArgs = (tx: string | null) => ({
  acks: -1,
  timeout: 1000,
  transactionalId: tx,
  topicData: [
    { topic: 'orders', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: 1700000000000 }] }, { partition: 3, messages: [{ value: 'x', timestamp: 1700000000001 }] }] },
    { topic: 'other', partitions: [{ partition: 1, messages: [{ key: null, value: 'y', timestamp: 1700000000002 }] }] },
  ],
});
const fetchArgs = {
  replicaId: -1,
  maxWaitTime: 500,
  minBytes: 1,
  maxBytes: 10485760,
  topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '10', maxBytes: 1048576 }, { partition: 1, fetchOffset: '0', maxBytes: 1024 }] }],
  rackId: 'rack-a',
};
const listOffsetsArgs = { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -1 }, { partition: 1, timestamp: -2 }] }] };
const createTopicsArgs = {
  topics: [
    { topic: 'a', numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    { topic: 'b', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
  ],
  timeout: 5000,
  validateOnly: false,
};
const joinArgs = {
  groupId: 'group-1',
  sessionTimeout: 30000,
  rebalanceTimeout: 60000,
  memberId: '',
  protocolType: 'consumer',
  groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }],
};
const syncArgs = { groupId: 'g', generationId: 3, memberId: 'm-1', groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from('assign') }] };
const commitArgs = { groupId: 'g', groupGenerationId: 3, memberId: 'm-1', retentionTime: -1, topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42', metadata: null }, { partition: 1, offset: '7', metadata: 'md' }] }] };
const offsetFetchArgs = { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 2 }] }] };

const cases: Array<[string, number[], unknown]> = [
  ['produce', [0, 1, 2, 3, 4, 5, 6, 7], produceArgs(null)],
  ['produce', [3, 7], produceArgs('tx-1')],
  ['fetch', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], fetchArgs],
  ['metadata', [0, 1, 2, 3, 4, 5, 6], { topics: ['a', 'b'], allowAutoTopicCreation: false }],
  ['metadata', [0, 1, 4, 6], { topics: [] }],
  ['apiVersions', [0, 1, 2], {}],
  ['listOffsets', [0, 1, 2, 3], listOffsetsArgs],
  ['createTopics', [0, 1, 2, 3], createTopicsArgs],
  ['joinGroup', [0, 1, 2, 3, 4, 5], joinArgs],
  ['syncGroup', [0, 1, 2, 3], syncArgs],
  ['offsetCommit', [0, 1, 2, 3, 4, 5], commitArgs],
  ['offsetFetch', [1, 2, 3, 4], offsetFetchArgs],
  ['findCoordinator', [0], { groupId: 'g' }],
  ['findCoordinator', [1, 2], { coordinatorKey: 'tx-1', coordinatorType: 1 }],
  ['heartbeat', [0, 1, 2, 3], { groupId: 'g', groupGenerationId: 2, memberId: 'm', groupInstanceId: null }],
  ['leaveGroup', [0, 1, 2], { groupId: 'g', memberId: 'm' }],
  ['describeGroups', [0, 1, 2], { groupIds: ['g1', 'g2'] }],
  ['listGroups', [0, 1, 2], {}],
  ['deleteTopics', [0, 1], { topics: ['a', 'b'], timeout: 3000 }],
  ['initProducerId', [0, 1], { transactionalId: null, transactionTimeout: 60000 }],
  ['saslHandshake', [0, 1], { mechanism: 'PLAIN' }],
  // Flexible v0 APIs: kafkajs writes header v1 and then the header's empty tag section itself.
  ['alterPartitionReassignments', [0], { topics: [{ topic: 't', partitionAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }], timeout: 5000 }],
  ['listPartitionReassignments', [0], { topics: [{ topic: 't', partitions: [0, 1] }], timeout: 5000 }],
  ['listPartitionReassignments', [0], { topics: null, timeout: 5000 }],
];

describe.each(cases)('kafkajs %s', (name, versions, args) => {
  test.each(versions)(`v%i decodes and re-encodes byte for byte`, async (v) => {
    const request = kjs(name, v)(args);
    const encoder = await kjsFrame({ correlationId: 4242, clientId: 'kafkajs-client', request });
    const bytes = encoder.buffer;
    expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
    const frame = bytes.subarray(4);
    const h = readRequestHeader(frame);
    expect(h).toMatchObject({ apiKey: request.apiKey, apiVersion: v, correlationId: 4242, clientId: 'kafkajs-client', known: true });
    const api = apisByKey.get(h.apiKey);
    if (api === undefined) throw new Error(`no api ${h.apiKey}`);
    const body = decodeRequest(api, v, frame, h.bodyOffset);
    const again = encodeRequest(api, v, { correlationId: 4242, clientId: 'kafkajs-client' }, body);
    expect(again.toString('hex')).toBe(bytes.toString('hex'));
  });
});

test('decoded kafkajs fields land on Kafka 2.8 names', async () => {
  const request = kjs('produce', 7)(produceArgs('tx-1'));
  const bytes = (await kjsFrame({ correlationId: 1, clientId: 'c', request })).buffer.subarray(4);
  const h = readRequestHeader(bytes);
  const body = decodeRequest(apisByKey.get(0) as NonNullable<ReturnType<typeof apisByKey.get>>, 7, bytes, h.bodyOffset) as Record<string, unknown>;
  expect(body).toMatchObject({ transactionalId: 'tx-1', acks: -1, timeoutMs: 1000 });
  const topics = body['topicData'] as Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }>;
  expect(topics.map((t) => t.name)).toEqual(['orders', 'other']);
  expect(topics[0]?.partitionData.map((p) => p.index)).toEqual([0, 3]);
  // The record batch is opaque: magic byte 2 at offset 16 of the batch.
  expect(topics[0]?.partitionData[0]?.records[16]).toBe(2);
});
