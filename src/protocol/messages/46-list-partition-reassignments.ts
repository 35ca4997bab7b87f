// ListPartitionReassignments (API key 46): request and response declared at Kafka 2.8's versions 0-0.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ListPartitionReassignments = defineApi({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  about: 'Lists ongoing partition reassignments.',
  validVersions: [0, 0],
  flexibleVersions: 0,
  request: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'topics', type: '[]ListPartitionReassignmentsTopics', versions: '0+', nullableVersions: '0+', default: null, fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'topics', type: '[]OngoingTopicReassignment', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OngoingPartitionReassignment', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'replicas', type: '[]int32', versions: '0+' },
        { name: 'addingReplicas', type: '[]int32', versions: '0+' },
        { name: 'removingReplicas', type: '[]int32', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type ListPartitionReassignmentsRequest = RequestOf<typeof ListPartitionReassignments>;
export type ListPartitionReassignmentsResponse = ResponseOf<typeof ListPartitionReassignments>;
export type ListPartitionReassignmentsRequestListPartitionReassignmentsTopics = NonNullable<ListPartitionReassignmentsRequest['topics']>[number];
export type ListPartitionReassignmentsResponseOngoingTopicReassignment = ListPartitionReassignmentsResponse['topics'][number];
export type ListPartitionReassignmentsResponseOngoingPartitionReassignment = ListPartitionReassignmentsResponse['topics'][number]['partitions'][number];
