// TxnOffsetCommit (API key 28): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const TxnOffsetCommit = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  about: 'Commits consumer offsets as part of a transaction.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'memberId', type: 'string', versions: '3+', default: '' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'topics', type: '[]TxnOffsetCommitRequestTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]TxnOffsetCommitRequestPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'committedOffset', type: 'int64', versions: '0+' },
        { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
        { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]TxnOffsetCommitResponseTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]TxnOffsetCommitResponsePartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type TxnOffsetCommitRequest = RequestOf<typeof TxnOffsetCommit>;
export type TxnOffsetCommitResponse = ResponseOf<typeof TxnOffsetCommit>;
export type TxnOffsetCommitRequestTopic = TxnOffsetCommitRequest['topics'][number];
export type TxnOffsetCommitRequestPartition = TxnOffsetCommitRequest['topics'][number]['partitions'][number];
export type TxnOffsetCommitResponseTopic = TxnOffsetCommitResponse['topics'][number];
export type TxnOffsetCommitResponsePartition = TxnOffsetCommitResponse['topics'][number]['partitions'][number];
