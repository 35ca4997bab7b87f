// OffsetFetch (API key 9): request and response declared at Kafka 2.8's versions 0-7.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const OffsetFetch = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  about: 'Reads committed consumer group offsets.',
  validVersions: [0, 7],
  flexibleVersions: 6,
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'topics', type: '[]OffsetFetchRequestTopic', versions: '0+', nullableVersions: '2+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
    ] },
    { name: 'requireStable', type: 'bool', versions: '7+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    { name: 'topics', type: '[]OffsetFetchResponseTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetFetchResponsePartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'committedOffset', type: 'int64', versions: '0+' },
        { name: 'committedLeaderEpoch', type: 'int32', versions: '5+', default: -1 },
        { name: 'metadata', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
    { name: 'errorCode', type: 'int16', versions: '2+', default: 0 },
  ],
} as const);

export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>;
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetch>;
export type OffsetFetchRequestTopic = NonNullable<OffsetFetchRequest['topics']>[number];
export type OffsetFetchResponseTopic = OffsetFetchResponse['topics'][number];
export type OffsetFetchResponsePartition = OffsetFetchResponse['topics'][number]['partitions'][number];
