// WriteTxnMarkers (API key 27): request and response declared at Kafka 2.8's versions 0-1.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const WriteTxnMarkers = defineApi({
  apiKey: 27,
  name: 'WriteTxnMarkers',
  about: 'Transaction coordinator writes commit/abort markers to partition leaders.',
  validVersions: [0, 1],
  flexibleVersions: 1,
  request: [
    { name: 'markers', type: '[]WritableTxnMarker', versions: '0+', fields: [
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'transactionResult', type: 'bool', versions: '0+' },
      { name: 'topics', type: '[]WritableTxnMarkerTopic', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ] },
      { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'markers', type: '[]WritableTxnMarkerResult', versions: '0+', fields: [
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'topics', type: '[]WritableTxnMarkerTopicResult', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]WritableTxnMarkerPartitionResult', versions: '0+', fields: [
          { name: 'partitionIndex', type: 'int32', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ] },
      ] },
    ] },
  ],
} as const);

export type WriteTxnMarkersRequest = RequestOf<typeof WriteTxnMarkers>;
export type WriteTxnMarkersResponse = ResponseOf<typeof WriteTxnMarkers>;
export type WriteTxnMarkersRequestWritableTxnMarker = WriteTxnMarkersRequest['markers'][number];
export type WriteTxnMarkersRequestWritableTxnMarkerTopic = WriteTxnMarkersRequest['markers'][number]['topics'][number];
export type WriteTxnMarkersResponseWritableTxnMarkerResult = WriteTxnMarkersResponse['markers'][number];
export type WriteTxnMarkersResponseWritableTxnMarkerTopicResult = WriteTxnMarkersResponse['markers'][number]['topics'][number];
export type WriteTxnMarkersResponseWritableTxnMarkerPartitionResult = WriteTxnMarkersResponse['markers'][number]['topics'][number]['partitions'][number];
