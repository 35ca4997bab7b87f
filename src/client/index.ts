// Brook's client library, the one API the CLI, the perf tools, bench/ and the tests use: a pipelined connection,
// an admin client that routes requests through the cluster, a producer and a consumer. It imports only
// src/protocol and src/util, never the broker (server, controller, zk, log), the CLI or the perf tools.
export {
  KafkaConnection, ConnectionClosedError, RequestTimeoutError, negotiateVersions, pickVersion,
  type ConnectOptions, type RequestOptions, type VersionMap,
} from './connection';
export {
  AdminClient, RETRIABLE_ROUTING, parseBootstrap,
  type AdminOptions, type BrokerNode, type ClusterMeta, type PartitionMeta, type TopicMeta,
} from './AdminClient';
export { Producer, COMPRESSION_NAMES, type ProducerOptions, type ProduceRecord, type ProducedPartition } from './Producer';
export {
  EARLIEST, LATEST, Fetcher, GroupMember, fetchCommitted, listOffsets,
  type ConsumedRecord, type FetcherOptions, type GroupOptions,
} from './Consumer';
export {
  decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign,
  type Assignment, type Subscription,
} from './consumerProtocol';
export {
  MAX_IN_FLIGHT_IDEMPOTENT, ProducerSequences, checkIdempotentConfig, incrementSequence, initProducerId,
  type BatchStamp, type IdempotentOutcome, type ProducerIdAndEpoch,
} from './idempotence';
export { AdminError, ConfigException, RetriableAdminError, UsageError, describeErrorCode, explainConnectError } from './errors';
export { FetchSessionHandler, type SessionFetchRequest, type SessionPartition } from './FetchSessionHandler';
export { murmur2, partitionForKey, toPositive } from './murmur2';
