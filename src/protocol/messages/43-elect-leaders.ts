// ElectLeaders (API key 43): request and response declared at Kafka 2.8's versions 0-2.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const ElectLeaders = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  about: 'Triggers preferred or unclean leader elections.',
  validVersions: [0, 2],
  flexibleVersions: 2,
  request: [
    { name: 'electionType', type: 'int8', versions: '1+' },
    { name: 'topicPartitions', type: '[]TopicPartitions', versions: '0+', nullableVersions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitionId', type: '[]int32', versions: '0+' },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '1+' },
    { name: 'replicaElectionResults', type: '[]ReplicaElectionResult', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitionResult', type: '[]PartitionResult', versions: '0+', fields: [
        { name: 'partitionId', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
} as const);

export type ElectLeadersRequest = RequestOf<typeof ElectLeaders>;
export type ElectLeadersResponse = ResponseOf<typeof ElectLeaders>;
export type ElectLeadersRequestTopicPartitions = NonNullable<ElectLeadersRequest['topicPartitions']>[number];
export type ElectLeadersResponseReplicaElectionResult = ElectLeadersResponse['replicaElectionResults'][number];
export type ElectLeadersResponsePartitionResult = ElectLeadersResponse['replicaElectionResults'][number]['partitionResult'][number];
