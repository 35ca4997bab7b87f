// LeaderAndIsr (API key 4): request and response declared at Kafka 2.8's versions 0-5.
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const LeaderAndIsr = defineApi({
  apiKey: 4,
  name: 'LeaderAndIsr',
  about: 'Controller tells a broker which partitions it leads or follows.',
  validVersions: [0, 5],
  flexibleVersions: 4,
  request: [
    { name: 'controllerId', type: 'int32', versions: '0+' },
    { name: 'controllerEpoch', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '2+', default: -1n },
    { name: 'type', type: 'int8', versions: '5+' },
    { name: 'ungroupedPartitionStates', type: '[]LeaderAndIsrPartitionState', versions: '0-1', fields: [
      { name: 'topicName', type: 'string', versions: '0-1' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
      { name: 'controllerEpoch', type: 'int32', versions: '0+' },
      { name: 'leader', type: 'int32', versions: '0+' },
      { name: 'leaderEpoch', type: 'int32', versions: '0+' },
      { name: 'isr', type: '[]int32', versions: '0+' },
      { name: 'zkVersion', type: 'int32', versions: '0+' },
      { name: 'replicas', type: '[]int32', versions: '0+' },
      { name: 'addingReplicas', type: '[]int32', versions: '3+' },
      { name: 'removingReplicas', type: '[]int32', versions: '3+' },
      { name: 'isNew', type: 'bool', versions: '1+', default: false },
    ] },
    { name: 'topicStates', type: '[]LeaderAndIsrTopicState', versions: '2+', fields: [
      { name: 'topicName', type: 'string', versions: '2+' },
      { name: 'topicId', type: 'uuid', versions: '5+' },
      { name: 'partitionStates', type: '[]LeaderAndIsrPartitionState', versions: '2+', fields: [
        { name: 'topicName', type: 'string', versions: '0-1' },
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'controllerEpoch', type: 'int32', versions: '0+' },
        { name: 'leader', type: 'int32', versions: '0+' },
        { name: 'leaderEpoch', type: 'int32', versions: '0+' },
        { name: 'isr', type: '[]int32', versions: '0+' },
        { name: 'zkVersion', type: 'int32', versions: '0+' },
        { name: 'replicas', type: '[]int32', versions: '0+' },
        { name: 'addingReplicas', type: '[]int32', versions: '3+' },
        { name: 'removingReplicas', type: '[]int32', versions: '3+' },
        { name: 'isNew', type: 'bool', versions: '1+', default: false },
      ] },
    ] },
    { name: 'liveLeaders', type: '[]LeaderAndIsrLiveLeader', versions: '0+', fields: [
      { name: 'brokerId', type: 'int32', versions: '0+' },
      { name: 'hostName', type: 'string', versions: '0+' },
      { name: 'port', type: 'int32', versions: '0+' },
    ] },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'partitionErrors', type: '[]LeaderAndIsrPartitionError', versions: '0-4', fields: [
      { name: 'topicName', type: 'string', versions: '0-4' },
      { name: 'partitionIndex', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ] },
    { name: 'topics', type: '[]LeaderAndIsrTopicError', versions: '5+', fields: [
      { name: 'topicId', type: 'uuid', versions: '5+' },
      { name: 'partitionErrors', type: '[]LeaderAndIsrPartitionError', versions: '5+', fields: [
        { name: 'topicName', type: 'string', versions: '0-4' },
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
} as const);

export type LeaderAndIsrRequest = RequestOf<typeof LeaderAndIsr>;
export type LeaderAndIsrResponse = ResponseOf<typeof LeaderAndIsr>;
export type LeaderAndIsrRequestLeaderAndIsrPartitionState = LeaderAndIsrRequest['ungroupedPartitionStates'][number];
export type LeaderAndIsrRequestLeaderAndIsrTopicState = LeaderAndIsrRequest['topicStates'][number];
export type LeaderAndIsrRequestLeaderAndIsrLiveLeader = LeaderAndIsrRequest['liveLeaders'][number];
export type LeaderAndIsrResponseLeaderAndIsrPartitionError = LeaderAndIsrResponse['partitionErrors'][number];
export type LeaderAndIsrResponseLeaderAndIsrTopicError = LeaderAndIsrResponse['topics'][number];
