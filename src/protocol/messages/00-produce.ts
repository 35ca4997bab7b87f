// Produce (API key 0): request and response declared at Kafka 3.x's versions 0-9 (v9 flexible, same fields as v8).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  about: 'Writes record batches to partition leaders.',
  validVersions: [0, 9],
  flexibleVersions: 9,
  request: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'topicData', type: '[]TopicProduceData', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionData', type: '[]PartitionProduceData', versions: '0+', fields: [
        { name: 'index', type: 'int32', versions: '0+' },
        { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
  response: [
    { name: 'responses', type: '[]TopicProduceResponse', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionResponses', type: '[]PartitionProduceResponse', versions: '0+', fields: [
        { name: 'index', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'baseOffset', type: 'int64', versions: '0+' },
        { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1n },
        { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
        { name: 'recordErrors', type: '[]BatchIndexAndErrorMessage', versions: '8+', fields: [
          { name: 'batchIndex', type: 'int32', versions: '8+' },
          { name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
        ] },
        { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
      ] },
    ] },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
  ],
} as const);

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseOf<typeof Produce>;
export type ProduceRequestTopicProduceData = ProduceRequest['topicData'][number];
export type ProduceRequestPartitionProduceData = ProduceRequest['topicData'][number]['partitionData'][number];
export type ProduceResponseTopicProduceResponse = ProduceResponse['responses'][number];
export type ProduceResponsePartitionProduceResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
export type ProduceResponseBatchIndexAndErrorMessage = ProduceResponse['responses'][number]['partitionResponses'][number]['recordErrors'][number];
