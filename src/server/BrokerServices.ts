// The domain services a broker runs, handed to request handlers (handlers never touch ZooKeeper, a Log or the
// controller's internals directly). KafkaServer wires every one before it accepts a connection.
import type { ReplicaManager } from './ReplicaManager';
import type { FetchManager } from './FetchSession';
import type { GroupCoordinator } from '../coordinator/GroupCoordinator';
import type { ConfigRepository } from './ConfigRepository';
import type { ControllerGateway } from './ControllerGateway';
import type { AutoTopicCreationManager } from './AutoTopicCreationManager';
import type { ProducerIdManager } from '../coordinator/transaction/ProducerIdManager';
import type { TransactionCoordinator } from '../coordinator/transaction/TransactionCoordinator';
import type { SecurityServices } from './authorizer/SecurityServices';

export interface BrokerServices {
  /** Partition replicas: produce, fetch, offsets, and the controller's LeaderAndIsr/StopReplica/UpdateMetadata. */
  readonly replicaManager: ReplicaManager;
  /** Incremental fetch sessions (KIP-227): which partitions a Fetch reads and which its response carries. */
  readonly fetchManager: FetchManager;
  /** Consumer groups and committed offsets. */
  readonly groupCoordinator: GroupCoordinator;
  /** This broker's controller, for the requests only the active controller serves. */
  readonly controller: ControllerGateway;
  /** Dynamic topic and broker configs: DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, CreateTopics v5. */
  readonly configs: ConfigRepository;
  /** Creates the missing topics a Metadata request names, when auto.create.topics.enable allows it. */
  readonly autoTopicCreation: Pick<AutoTopicCreationManager, 'createTopics'>;
  /** Producer ids for InitProducerId, from blocks claimed through ZooKeeper. */
  readonly producerIdManager: ProducerIdManager;
  /** Transactional ids, their transactions and markers, kept in __transaction_state. */
  readonly transactionCoordinator: TransactionCoordinator;
  /** ACL authorizer, SCRAM credentials and client quotas (issue #17); absent in tests that do not need them. */
  readonly security?: SecurityServices;
  /** This broker's log directories with the partitions in each (DescribeLogDirs). */
  describeLogDirs(): LogDirDescription[];
}

export interface LogDirDescription {
  dir: string;
  /** Wire error code of the directory (0, or KAFKA_STORAGE_ERROR for an offline dir). */
  error: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; size: bigint; offsetLag: bigint; isFuture: boolean }> }>;
  /** Size of the directory's volume in bytes, -1 when the directory is offline or its volume could not be read. */
  totalBytes: bigint;
  /** Bytes of that volume still usable by the broker (statfs f_bavail), -1 likewise. */
  usableBytes: bigint;
}
