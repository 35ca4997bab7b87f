// StopReplica (API key 5): request and response declared at Kafka 2.8's versions 0-3.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const StopReplica = defineApi({
  apiKey: 5,
  name: 'StopReplica',
  about: 'Controller tells a broker to stop replicating (and maybe delete) partitions.',
  validVersions: [0, 3],
  flexibleVersions: 2,
  request: [
    { name: 'controllerId', type: 'int32', versions: '0+' },
    { name: 'controllerEpoch', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '1+', default: -1n },
    { name: 'deletePartitions', type: 'bool', versions: '0-2' },
    { name: 'ungroupedPartitions', type: '[]StopReplicaPartitionV0', versions: '0', fields: [
      { name: 'topicName', type: 'string', versions: '0' },
      { name: 'partitionIndex', type: 'int32', versions: '0' },
    ] },
    { name: 'topics', type: '[]StopReplicaTopicV1', versions: '1-2', fields: [
      { name: 'name', type: 'string', versions: '1-2' },
      { name: 'partitionIndexes', type: '[]int32', versions: '1-2' },
    ] },
    { name: 'topicStates', type: '[]StopReplicaTopicState', versions: '3+', fields: [
      { name: 'topicName', type: 'string', versions: '3+' },
      { name: 'partitionStates', type: '[]StopReplicaPartitionState', versions: '3+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '3+' },
        { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
        { name: 'deletePartition', type: 'bool', versions: '3+' },
      ] },
    ] },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'partitionErrors', type: '[]StopReplicaPartitionError', versions: '0+', fields: [
      { name: 'topicName', type: 'string', versions: '0+' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ] },
  ],
} as const);

export type StopReplicaRequest = RequestOf<typeof StopReplica>;
export type StopReplicaResponse = ResponseOf<typeof StopReplica>;
export type StopReplicaRequestStopReplicaPartitionV0 = StopReplicaRequest['ungroupedPartitions'][number];
export type StopReplicaRequestStopReplicaTopicV1 = StopReplicaRequest['topics'][number];
export type StopReplicaRequestStopReplicaTopicState = StopReplicaRequest['topicStates'][number];
export type StopReplicaRequestStopReplicaPartitionState = StopReplicaRequest['topicStates'][number]['partitionStates'][number];
export type StopReplicaResponseStopReplicaPartitionError = StopReplicaResponse['partitionErrors'][number];
