// CreatePartitions (API key 37): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  about: 'Adds partitions to existing topics.',
  validVersions: [0, 3],
  flexibleVersions: 2,
  request: [
    { name: 'topics', type: '[]CreatePartitionsTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'count', type: 'int32', versions: '0+' },
      { name: 'assignments', type: '[]CreatePartitionsAssignment', versions: '0+', nullableVersions: '0+', fields: [
        { name: 'brokerIds', type: '[]int32', versions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]CreatePartitionsTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    ] },
  ],
} as const);

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>;
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitions>;
export type CreatePartitionsRequestCreatePartitionsTopic = CreatePartitionsRequest['topics'][number];
export type CreatePartitionsRequestCreatePartitionsAssignment = NonNullable<CreatePartitionsRequest['topics'][number]['assignments']>[number];
export type CreatePartitionsResponseCreatePartitionsTopicResult = CreatePartitionsResponse['results'][number];
