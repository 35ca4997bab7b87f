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
  type TransactionDescription, type TransactionListing,
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
export {
  AdminError, ConfigException, ProducerFencedError, RetriableAdminError, TransactionAbortableError, UsageError,
  describeErrorCode, explainConnectError,
} from './errors';
export {
  COORDINATOR_GROUP, COORDINATOR_TRANSACTION, DEFAULT_TRANSACTION_TIMEOUT_MS, TransactionManager, TxnPartitions,
  classifyTxnError,
  type ConsumerGroupMetadata, type TransactionManagerOptions, type TransactionState, type TxnErrorAction, type TxnOffset,
} from './transactions';
export {
  AbortedTransactionFilter, CONTROL_ABORT, CONTROL_COMMIT, ISOLATION_LEVEL_NAMES, READ_COMMITTED, READ_UNCOMMITTED,
  controlRecordType, selectBatches,
  type AbortedTransaction, type IsolationLevel,
} from './readCommitted';
export { FetchSessionHandler, type SessionFetchRequest, type SessionPartition } from './FetchSessionHandler';
export { murmur2, partitionForKey, toPositive } from './murmur2';
