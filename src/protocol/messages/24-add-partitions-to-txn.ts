// AddPartitionsToTxn (API key 24): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AddPartitionsToTxn = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  about: 'Adds partitions to an ongoing transaction.',
  validVersions: [0, 3],
  flexibleVersions: 3,
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'topics', type: '[]AddPartitionsToTxnTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]AddPartitionsToTxnTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'results', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type AddPartitionsToTxnRequest = RequestOf<typeof AddPartitionsToTxn>;
export type AddPartitionsToTxnResponse = ResponseOf<typeof AddPartitionsToTxn>;
export type AddPartitionsToTxnRequestAddPartitionsToTxnTopic = AddPartitionsToTxnRequest['topics'][number];
export type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult = AddPartitionsToTxnResponse['results'][number];
export type AddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult = AddPartitionsToTxnResponse['results'][number]['results'][number];
