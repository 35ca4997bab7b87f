// AlterIsr (API key 56): request and response declared at Kafka 2.8's versions 0-0.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AlterIsr = defineApi({
  apiKey: 56,
  name: 'AlterIsr',
  about: 'A partition leader asks the controller to change the ISR.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n },
    { name: 'topics', type: '[]TopicData', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]PartitionData', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        { name: 'newIsr', type: '[]int32', versions: '0+' },
        { name: 'currentIsrVersion', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'topics', type: '[]TopicData', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]PartitionData', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'leaderId', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        { name: 'isr', type: '[]int32', versions: '0+' },
        { name: 'currentIsrVersion', type: 'int32', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type AlterIsrRequest = RequestOf<typeof AlterIsr>;
export type AlterIsrResponse = ResponseOf<typeof AlterIsr>;
export type AlterIsrRequestTopicData = AlterIsrRequest['topics'][number];
export type AlterIsrRequestPartitionData = AlterIsrRequest['topics'][number]['partitions'][number];
export type AlterIsrResponseTopicData = AlterIsrResponse['topics'][number];
export type AlterIsrResponsePartitionData = AlterIsrResponse['topics'][number]['partitions'][number];
