// The domain services a broker runs, handed to request handlers (handlers never touch ZooKeeper or a Log directly).
import type { KafkaZkApi } from '../zk/api';
import type { KafkaController } from '../controller/KafkaController';
import type { ReplicaManager } from './ReplicaManager';
import type { GroupCoordinator } from '../coordinator/GroupCoordinator';
import type { ProducerIdManager } from '../coordinator/transaction/ProducerIdManager';

export interface BrokerServices {
  /** Kafka-level ZooKeeper operations: used by the admin paths that Kafka 2.8 also runs through ZooKeeper. */
  readonly zk: KafkaZkApi;
  readonly clusterId: string;
  /** This broker's controller instance (active or standing by). */
  readonly controller?: KafkaController;
  /** Partition replicas: produce, fetch, offsets, and the controller's LeaderAndIsr/StopReplica/UpdateMetadata. */
  readonly replicaManager?: ReplicaManager;
  /** Consumer groups and committed offsets (absent until the lead wires it: group APIs then answer COORDINATOR_NOT_AVAILABLE). */
  readonly groupCoordinator?: GroupCoordinator;
  /** Producer ids for InitProducerId, from blocks claimed through ZooKeeper. */
  readonly producerIdManager?: ProducerIdManager;
  // Filled in as the layers land: replicaManager, controller, groupCoordinator, ...
  [service: string]: unknown;
}
