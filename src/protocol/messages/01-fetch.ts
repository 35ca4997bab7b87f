// Fetch (API key 1): request and response declared at Kafka 3.x's versions 0-13 (v13 names topics by id, KIP-516).
import { defineApi, type RequestOf, type ResponseOf } from '../schema';

export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  about: 'Reads record batches from partitions, for consumers and follower replicas.',
  validVersions: [0, 13],
  flexibleVersions: 12,
  request: [
    { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: null },
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'maxWaitMs', type: 'int32', versions: '0+' },
    { name: 'minBytes', type: 'int32', versions: '0+' },
    { name: 'maxBytes', type: 'int32', versions: '3+', default: 2147483647 },
    { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
    { name: 'topics', type: '[]FetchTopic', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0-12' },
      { name: 'topicId', type: 'uuid', versions: '13+' },
      { name: 'partitions', type: '[]FetchPartition', versions: '0+', fields: [
        { name: 'partition', type: 'int32', versions: '0+' },
        { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
        { name: 'fetchOffset', type: 'int64', versions: '0+' },
        { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
        { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
        { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
      ] },
    ] },
    { name: 'forgottenTopicsData', type: '[]ForgottenTopic', versions: '7+', fields: [
      { name: 'topic', type: 'string', versions: '7-12' },
      { name: 'topicId', type: 'uuid', versions: '13+' },
      { name: 'partitions', type: '[]int32', versions: '7+' },
    ] },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '7+' },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'responses', type: '[]FetchableTopicResponse', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0-12' },
      { name: 'topicId', type: 'uuid', versions: '13+' },
      { name: 'partitionResponses', type: '[]FetchablePartitionResponse', versions: '0+', fields: [
        { name: 'partition', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'highWatermark', type: 'int64', versions: '0+' },
        { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1n },
        { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n },
        { name: 'divergingEpoch', type: 'EpochEndOffset', versions: '12+', taggedVersions: '12+', tag: 0, fields: [
          { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
          { name: 'endOffset', type: 'int64', versions: '12+', default: -1n },
        ] },
        { name: 'currentLeader', type: 'LeaderIdAndEpoch', versions: '12+', taggedVersions: '12+', tag: 1, fields: [
          { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
          { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
        ] },
        { name: 'snapshotId', type: 'SnapshotId', versions: '12+', taggedVersions: '12+', tag: 2, fields: [
          { name: 'endOffset', type: 'int64', versions: '0+', default: -1n },
          { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
        ] },
        { name: 'abortedTransactions', type: '[]AbortedTransaction', versions: '4+', nullableVersions: '4+', fields: [
          { name: 'producerId', type: 'int64', versions: '4+' },
          { name: 'firstOffset', type: 'int64', versions: '4+' },
        ] },
        { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
        { name: 'recordSet', type: 'records', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
} as const);

/** Fetch session ids and epochs (KIP-227, Kafka's FetchMetadata), shared by the broker and fetchers. */
export const FetchMetadata = {
  /** No session: sessionless requests send it, and a response carries it when no session was made. */
  INVALID_SESSION_ID: 0,
  /** A full request that asks for a new session. */
  INITIAL_EPOCH: 0,
  /** A full request that wants no session (and closes the one it names); every pre-KIP-227 client sends it. */
  FINAL_EPOCH: -1,
  /** The epoch after `prev`: FINAL stays FINAL, and the epoch wraps from 2^31-1 to 1. */
  nextEpoch(prev: number): number {
    if (prev < 0) return -1;
    return prev === 0x7fffffff ? 1 : prev + 1;
  },
} as const;

export type FetchRequest = RequestOf<typeof Fetch>;
export type FetchResponse = ResponseOf<typeof Fetch>;
export type FetchRequestFetchTopic = FetchRequest['topics'][number];
export type FetchRequestFetchPartition = FetchRequest['topics'][number]['partitions'][number];
export type FetchRequestForgottenTopic = FetchRequest['forgottenTopicsData'][number];
export type FetchResponseFetchableTopicResponse = FetchResponse['responses'][number];
export type FetchResponseFetchablePartitionResponse = FetchResponse['responses'][number]['partitionResponses'][number];
export type FetchResponseEpochEndOffset = FetchResponse['responses'][number]['partitionResponses'][number]['divergingEpoch'];
export type FetchResponseLeaderIdAndEpoch = FetchResponse['responses'][number]['partitionResponses'][number]['currentLeader'];
export type FetchResponseSnapshotId = FetchResponse['responses'][number]['partitionResponses'][number]['snapshotId'];
export type FetchResponseAbortedTransaction = NonNullable<FetchResponse['responses'][number]['partitionResponses'][number]['abortedTransactions']>[number];
