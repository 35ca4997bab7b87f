// ListOffsets (API key 2): request and response declared at Kafka 3.x's versions 0-7 (v7 adds timestamp -3,
// MAX_TIMESTAMP, KIP-734, with the same fields as v6).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  about: 'Looks up offsets of partitions by timestamp (earliest, latest or a given time).',
  validVersions: [0, 7],
  flexibleVersions: 6,
  request: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
    { name: 'topics', type: '[]ListOffsetsTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ListOffsetsPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
        { name: 'timestamp', type: 'int64', versions: '0+' },
        { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
      ] },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'topics', type: '[]ListOffsetsTopicResponse', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ListOffsetsPartitionResponse', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
        { name: 'timestamp', type: 'int64', versions: '1+', default: -1n },
        { name: 'offset', type: 'int64', versions: '1+', default: -1n },
        { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
      ] },
    ] },
  ],
} as const);

export type ListOffsetsRequest = RequestOf<typeof ListOffsets>;
export type ListOffsetsResponse = ResponseOf<typeof ListOffsets>;
export type ListOffsetsRequestListOffsetsTopic = ListOffsetsRequest['topics'][number];
export type ListOffsetsRequestListOffsetsPartition = ListOffsetsRequest['topics'][number]['partitions'][number];
export type ListOffsetsResponseListOffsetsTopicResponse = ListOffsetsResponse['topics'][number];
export type ListOffsetsResponseListOffsetsPartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];
