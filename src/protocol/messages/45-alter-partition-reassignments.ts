// AlterPartitionReassignments (API key 45): request and response declared at Kafka 2.8's versions 0-0.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const AlterPartitionReassignments = defineApi({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  about: 'Starts or cancels partition reassignments.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'topics', type: '[]ReassignableTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ReassignablePartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'replicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
      ] },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'responses', type: '[]ReassignableTopicResponse', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ReassignablePartitionResponse', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
} as const);

export type AlterPartitionReassignmentsRequest = RequestOf<typeof AlterPartitionReassignments>;
export type AlterPartitionReassignmentsResponse = ResponseOf<typeof AlterPartitionReassignments>;
export type AlterPartitionReassignmentsRequestReassignableTopic = AlterPartitionReassignmentsRequest['topics'][number];
export type AlterPartitionReassignmentsRequestReassignablePartition = AlterPartitionReassignmentsRequest['topics'][number]['partitions'][number];
export type AlterPartitionReassignmentsResponseReassignableTopicResponse = AlterPartitionReassignmentsResponse['responses'][number];
export type AlterPartitionReassignmentsResponseReassignablePartitionResponse = AlterPartitionReassignmentsResponse['responses'][number]['partitions'][number];
