// OffsetForLeaderEpoch (API key 23): request and response declared at Kafka 2.8's versions 0-4.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const OffsetForLeaderEpoch = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  about: 'Finds the end offset of a leader epoch, for log truncation after leader changes.',
  validVersions: [0, 4],
  flexibleVersions: 4,
  request: [
    { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
    { name: 'topics', type: '[]OffsetForLeaderTopic', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetForLeaderPartition', versions: '0+', fields: [
        { name: 'partition', type: 'int32', versions: '0+' },
        { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'topics', type: '[]OffsetForLeaderTopicResult', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]EpochEndOffset', versions: '0+', fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'partition', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
        { name: 'endOffset', type: 'int64', versions: '0+', default: -1n },
      ] },
    ] },
  ],
} as const);

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochRequestOffsetForLeaderTopic = OffsetForLeaderEpochRequest['topics'][number];
export type OffsetForLeaderEpochRequestOffsetForLeaderPartition = OffsetForLeaderEpochRequest['topics'][number]['partitions'][number];
export type OffsetForLeaderEpochResponseOffsetForLeaderTopicResult = OffsetForLeaderEpochResponse['topics'][number];
export type OffsetForLeaderEpochResponseEpochEndOffset = OffsetForLeaderEpochResponse['topics'][number]['partitions'][number];
