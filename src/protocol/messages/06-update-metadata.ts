// UpdateMetadata (API key 6): request and response declared at Kafka 2.8's versions 0-7.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const UpdateMetadata = defineApi({
  apiKey: 6,
  name: 'UpdateMetadata',
  about: 'Controller pushes cluster metadata to every broker\'s cache.',
  validVersions: [0, 7],
  flexibleVersions: 6,
  request: [
    { name: 'controllerId', type: 'int32', versions: '0+' },
    { name: 'controllerEpoch', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '5+', default: -1n },
    { name: 'ungroupedPartitionStates', type: '[]UpdateMetadataPartitionState', versions: '0-4', fields: [
      { name: 'topicName', type: 'string', versions: '0-4' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
      { name: 'controllerEpoch', type: 'int32', versions: '0+' },
      { name: 'leader', type: 'int32', versions: '0+' },
      { name: 'leaderEpoch', type: 'int32', versions: '0+' },
      { name: 'isr', type: '[]int32', versions: '0+' },
      { name: 'zkVersion', type: 'int32', versions: '0+' },
      { name: 'replicas', type: '[]int32', versions: '0+' },
      { name: 'offlineReplicas', type: '[]int32', versions: '4+' },
    ] },
    { name: 'topicStates', type: '[]UpdateMetadataTopicState', versions: '5+', fields: [
      { name: 'topicName', type: 'string', versions: '5+' },
      { name: 'topicId', type: 'uuid', versions: '7+' },
      { name: 'partitionStates', type: '[]UpdateMetadataPartitionState', versions: '5+', fields: [
        { name: 'topicName', type: 'string', versions: '0-4' },
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'controllerEpoch', type: 'int32', versions: '0+' },
        { name: 'leader', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        { name: 'isr', type: '[]int32', versions: '0+' },
        { name: 'zkVersion', type: 'int32', versions: '0+' },
        { name: 'replicas', type: '[]int32', versions: '0+' },
        { name: 'offlineReplicas', type: '[]int32', versions: '4+' },
      ] },
    ] },
    { name: 'liveBrokers', type: '[]UpdateMetadataBroker', versions: '0+', fields: [
      { name: 'id', type: 'int32', versions: '0+' },
      { name: 'v0Host', type: 'string', versions: '0' },
      { name: 'v0Port', type: 'int32', versions: '0' },
      { name: 'endpoints', type: '[]UpdateMetadataEndpoint', versions: '1+', fields: [
        { name: 'port', type: 'int32', versions: '1+' },
        { name: 'host', type: 'string', versions: '1+' },
        { name: 'listener', type: 'string', versions: '3+' },
        { name: 'securityProtocol', type: 'int16', versions: '1+' },
      ] },
      { name: 'rack', type: 'string', versions: '2+', nullableVersions: '0+' },
    ] },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const);

export type UpdateMetadataRequest = RequestOf<typeof UpdateMetadata>;
export type UpdateMetadataResponse = ResponseOf<typeof UpdateMetadata>;
export type UpdateMetadataRequestUpdateMetadataPartitionState = UpdateMetadataRequest['ungroupedPartitionStates'][number];
export type UpdateMetadataRequestUpdateMetadataTopicState = UpdateMetadataRequest['topicStates'][number];
export type UpdateMetadataRequestUpdateMetadataBroker = UpdateMetadataRequest['liveBrokers'][number];
export type UpdateMetadataRequestUpdateMetadataEndpoint = UpdateMetadataRequest['liveBrokers'][number]['endpoints'][number];
