// Derived TypeScript types follow the declarations (checked by tsc), and version-absent fields behave as declared.
import { decodeResponse, encodeResponse, precompile } from '../../../src/protocol/codec';
import {
  Metadata,
  Produce,
  allApis,
  apisByKey,
  type FetchResponse,
  type MetadataResponseBroker,
  type MetadataResponseTopic,
  type ProduceRequest,
  type ProduceResponse,
} from '../../../src/protocol/messages';
import { expectTypeOf, typeErrorsIn } from '../../util/expectTypeOf';

type ProducePartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
type FetchPartitionResponse = FetchResponse['responses'][number]['partitionResponses'][number];

// Checked by tsc: `npm test` type-checks test/ first, and the last test here type-checks this file from jest too.
test('derived types: int64 is bigint, nullable fields admit null, records are Buffer | null', () => {
  expectTypeOf<ProduceRequest['acks']>().toEqualTypeOf<number>(); // int16
  expectTypeOf<ProduceRequest['transactionalId']>().toEqualTypeOf<string | null>(); // nullable from v3
  expectTypeOf<ProduceRequest['topicData'][number]['partitionData'][number]['records']>().toEqualTypeOf<Buffer | null>();
  expectTypeOf<ProducePartitionResponse['baseOffset']>().toEqualTypeOf<bigint>(); // int64
  expectTypeOf<ProducePartitionResponse['logAppendTimeMs']>().toEqualTypeOf<bigint>();
  expectTypeOf<MetadataResponseBroker['host']>().toEqualTypeOf<string>(); // not nullable in the response
  expectTypeOf<MetadataResponseTopic['name']>().toEqualTypeOf<string | null>(); // nullable from v12 (unknown topic ids)
  expectTypeOf<null>().toMatchTypeOf<FetchPartitionResponse['abortedTransactions']>(); // nullable
  expectTypeOf<string>().notToMatchTypeOf<ProduceRequest['acks']>();
  expectTypeOf<number>().notToMatchTypeOf<ProducePartitionResponse['baseOffset']>();

  // The assertions fail when the types differ (an unused @ts-expect-error is itself an error).
  // @ts-expect-error acks is an int16 (number), not a string
  expectTypeOf<ProduceRequest['acks']>().toEqualTypeOf<string>();
  // @ts-expect-error baseOffset is an int64 (bigint), not a number
  expectTypeOf<ProducePartitionResponse['baseOffset']>().toEqualTypeOf<number>();
  // @ts-expect-error Metadata broker hosts are not nullable in the response
  expectTypeOf<null>().toMatchTypeOf<MetadataResponseBroker['host']>();
  // @ts-expect-error equality is exact: string | null is not string
  expectTypeOf<ProduceRequest['transactionalId']>().toEqualTypeOf<string>();
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

test('registry: 52 APIs keyed by api key with Kafka 2.8/3.x version ranges; every plan builds', () => {
  expect(allApis).toHaveLength(52);
  expect([...apisByKey.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 37, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 56, 60, 61, 65, 66]);
  const ranges = Object.fromEntries(allApis.map((a) => [a.name, [...a.validVersions, a.flexibleVersions]]));
  expect(ranges).toMatchObject({
    Produce: [0, 9, 9], Fetch: [0, 13, 12], ListOffsets: [0, 7, 6], Metadata: [0, 12, 9], LeaderAndIsr: [0, 5, 4],
    StopReplica: [0, 3, 2], UpdateMetadata: [0, 7, 6], ControlledShutdown: [0, 3, 3], ApiVersions: [0, 3, 3],
    CreateTopics: [0, 7, 5], JoinGroup: [0, 9, 6], FindCoordinator: [0, 4, 3], OffsetFetch: [0, 8, 6], LeaveGroup: [0, 5, 4], SaslHandshake: [0, 1, null], OffsetDelete: [0, 0, null], AlterIsr: [0, 0, 0],
    DescribeLogDirs: [0, 4, 2], DescribeCluster: [0, 0, 0], DescribeProducers: [0, 0, 0], DescribeTransactions: [0, 0, 0], ListTransactions: [0, 0, 0],
  });
  for (const api of allApis) expect(() => precompile(api)).not.toThrow();
});

test('this file type-checks, so the type assertions above hold (ts-jest itself does not type-check)', () => {
  expect(typeErrorsIn(__filename)).toEqual([]);
}, 30_000);
