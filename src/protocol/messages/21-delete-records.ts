// DeleteRecords (API key 21): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DeleteRecords = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  about: 'Moves the log start offset of partitions forward.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'topics', type: '[]DeleteRecordsTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]DeleteRecordsPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'offset', type: 'int64', versions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]DeleteRecordsTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]DeleteRecordsPartitionResult', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'lowWatermark', type: 'int64', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type DeleteRecordsRequest = RequestOf<typeof DeleteRecords>;
export type DeleteRecordsResponse = ResponseOf<typeof DeleteRecords>;
export type DeleteRecordsRequestDeleteRecordsTopic = DeleteRecordsRequest['topics'][number];
export type DeleteRecordsRequestDeleteRecordsPartition = DeleteRecordsRequest['topics'][number]['partitions'][number];
export type DeleteRecordsResponseDeleteRecordsTopicResult = DeleteRecordsResponse['topics'][number];
export type DeleteRecordsResponseDeleteRecordsPartitionResult = DeleteRecordsResponse['topics'][number]['partitions'][number];
