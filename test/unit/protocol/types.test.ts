// Derived TypeScript types follow the declarations (checked by tsc), and version-absent fields behave as declared.
import { decodeResponse, encodeResponse, precompile } from '../../../src/protocol/codec';
import {
  Metadata,
  Produce,
  allApis,
  apisByKey,
  type FetchResponse,
  type MetadataResponseTopic,
  type ProduceRequest,
  type ProduceResponse,
} from '../../../src/protocol/messages';

test('derived types: int64 is bigint, nullable fields admit null, records are Buffer | null', () => {
  const req: ProduceRequest = { transactionalId: null, acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }] };
  // @ts-expect-error acks is an int16 (number), not a string
  const bad1: ProduceRequest['acks'] = '1';
  const res: ProduceResponse['responses'][number]['partitionResponses'][number] = {
    index: 0, errorCode: 0, baseOffset: 1n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null,
  };
  // @ts-expect-error baseOffset is an int64 (bigint)
  const bad2: typeof res.baseOffset = 1;
  const topic: MetadataResponseTopic = { errorCode: 0, name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [], topicAuthorizedOperations: 0 };
  // @ts-expect-error Metadata topic names are not nullable in the response
  const bad3: MetadataResponseTopic['name'] = null;
  const aborted: FetchResponse['responses'][number]['partitionResponses'][number]['abortedTransactions'] = null;
  void [req, bad1, bad2, topic, bad3, aborted];
  expect(true).toBe(true);
});

test('a field absent at the encoded version is ignored and decodes to its default', () => {
  const frame = encodeResponse(Metadata, 0, 1, {
    brokers: [{ nodeId: 1, host: 'h', port: 1, rack: 'r1' }], // rack exists from v1
    controllerId: 5, // v1+
    topics: [],
  });
  const { body } = decodeResponse(Metadata, 0, frame.subarray(4));
  expect(body.brokers[0]?.rack).toBeNull();
  expect(body.controllerId).toBe(-1);
  expect(body.clusterAuthorizedOperations).toBe(-2147483648);
});

test('omitted fields take their declared defaults on encode', () => {
  const frame = encodeResponse(Produce, 5, 1, { responses: [{ name: 't', partitionResponses: [{ index: 0, baseOffset: 10n }] }] });
  const { body } = decodeResponse(Produce, 5, frame.subarray(4));
  expect(body.responses[0]?.partitionResponses[0]).toMatchObject({ errorCode: 0, logAppendTimeMs: -1n, logStartOffset: -1n });
  expect(body.throttleTimeMs).toBe(0);
});

test('registry: 44 APIs keyed by api key with Kafka 2.8 version ranges; every plan builds', () => {
  expect(allApis).toHaveLength(44);
  expect([...apisByKey.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 37, 42, 43, 44, 45, 46, 47, 56]);
  const ranges = Object.fromEntries(allApis.map((a) => [a.name, [...a.validVersions, a.flexibleVersions]]));
  expect(ranges).toMatchObject({
    Produce: [0, 9, 9], Fetch: [0, 12, 12], ListOffsets: [0, 6, 6], Metadata: [0, 11, 9], LeaderAndIsr: [0, 5, 4],
    StopReplica: [0, 3, 2], UpdateMetadata: [0, 7, 6], ControlledShutdown: [0, 3, 3], ApiVersions: [0, 3, 3],
    CreateTopics: [0, 7, 5], JoinGroup: [0, 7, 6], SaslHandshake: [0, 1, null], OffsetDelete: [0, 0, null], AlterIsr: [0, 0, 0],
  });
  for (const api of allApis) expect(() => precompile(api)).not.toThrow();
});
