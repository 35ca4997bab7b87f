// DescribeProducers (API key 61, KIP-664): request and response declared at Kafka 3.x's version 0 (flexible only).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DescribeProducers = defineApi({
  apiKey: 61,
  name: 'DescribeProducers',
  about: 'Lists the active idempotent and transactional producers of partitions, as a replica tracks them.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'topics', type: '[]TopicRequest', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]TopicResponse', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]PartitionResponse', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'activeProducers', type: '[]ProducerState', versions: '0+', fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int32', versions: '0+' },
          { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
          { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1n },
          { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
          { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1n },
        ] },
      ] },
    ] },
  ],
} as const);

export type DescribeProducersRequest = RequestOf<typeof DescribeProducers>;
export type DescribeProducersResponse = ResponseOf<typeof DescribeProducers>;
export type DescribeProducersRequestTopicRequest = DescribeProducersRequest['topics'][number];
export type DescribeProducersResponseTopicResponse = DescribeProducersResponse['topics'][number];
export type DescribeProducersResponsePartitionResponse = DescribeProducersResponse['topics'][number]['partitions'][number];
export type DescribeProducersResponseProducerState = DescribeProducersResponse['topics'][number]['partitions'][number]['activeProducers'][number];
