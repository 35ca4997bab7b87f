// OffsetDelete (API key 47): request and response declared at Kafka 2.8's versions 0-0.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const OffsetDelete = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  about: 'Deletes committed offsets of a group.',
  validVersions: [0, 0],
  flexibleVersions: null,
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'topics', type: '[]OffsetDeleteRequestTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetDeleteRequestPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'topics', type: '[]OffsetDeleteResponseTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetDeleteResponsePartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type OffsetDeleteRequest = RequestOf<typeof OffsetDelete>;
export type OffsetDeleteResponse = ResponseOf<typeof OffsetDelete>;
export type OffsetDeleteRequestTopic = OffsetDeleteRequest['topics'][number];
export type OffsetDeleteRequestPartition = OffsetDeleteRequest['topics'][number]['partitions'][number];
export type OffsetDeleteResponseTopic = OffsetDeleteResponse['topics'][number];
export type OffsetDeleteResponsePartition = OffsetDeleteResponse['topics'][number]['partitions'][number];
