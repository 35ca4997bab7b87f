// DeleteTopics (API key 20): request and response declared at Kafka 2.8's versions 0-6.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  about: 'Deletes topics.',
  validVersions: [0, 6],
  flexibleVersions: 4,
  request: [
    { name: 'topics', type: '[]DeleteTopicState', versions: '6+', fields: [
      { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+' },
      { name: 'topicId', type: 'uuid', versions: '6+' },
    ] },
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'responses', type: '[]DeletableTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
      { name: 'topicId', type: 'uuid', versions: '6+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    ] },
  ],
} as const);

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>;
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopics>;
export type DeleteTopicsRequestDeleteTopicState = DeleteTopicsRequest['topics'][number];
export type DeleteTopicsResponseDeletableTopicResult = DeleteTopicsResponse['responses'][number];
