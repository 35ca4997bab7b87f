// CreateTopics (API key 19): request and response declared at Kafka 2.8's versions 0-7.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  about: 'Creates topics.',
  validVersions: [0, 7],
  flexibleVersions: 5,
  request: [
    { name: 'topics', type: '[]CreatableTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'numPartitions', type: 'int32', versions: '0+' },
      { name: 'replicationFactor', type: 'int16', versions: '0+' },
      { name: 'assignments', type: '[]CreatableReplicaAssignment', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'brokerIds', type: '[]int32', versions: '0+' },
      ] },
      { name: 'configs', type: '[]CreateableTopicConfig', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'topics', type: '[]CreatableTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'topicId', type: 'uuid', versions: '7+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
      { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0 },
      { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
      { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
      { name: 'configs', type: '[]CreatableTopicConfigs', versions: '5+', nullableVersions: '5+', fields: [
        { name: 'name', type: 'string', versions: '5+' },
        { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
        { name: 'readOnly', type: 'bool', versions: '5+' },
        { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
        { name: 'isSensitive', type: 'bool', versions: '5+' },
      ] },
    ] },
  ],
} as const);

export type CreateTopicsRequest = RequestOf<typeof CreateTopics>;
export type CreateTopicsResponse = ResponseOf<typeof CreateTopics>;
export type CreateTopicsRequestCreatableTopic = CreateTopicsRequest['topics'][number];
export type CreateTopicsRequestCreatableReplicaAssignment = CreateTopicsRequest['topics'][number]['assignments'][number];
export type CreateTopicsRequestCreateableTopicConfig = CreateTopicsRequest['topics'][number]['configs'][number];
export type CreateTopicsResponseCreatableTopicResult = CreateTopicsResponse['topics'][number];
export type CreateTopicsResponseCreatableTopicConfigs = NonNullable<CreateTopicsResponse['topics'][number]['configs']>[number];
