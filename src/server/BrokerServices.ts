// The domain services a broker runs, handed to request handlers (handlers never touch ZooKeeper or a Log directly).
import type { KafkaZkApi } from '../zk/api';
import type { KafkaController } from '../controller/KafkaController';

export interface BrokerServices {
  /** Kafka-level ZooKeeper operations: used by the admin paths that Kafka 2.8 also runs through ZooKeeper. */
  readonly zk: KafkaZkApi;
  readonly clusterId: string;
  /** This broker's controller instance (active or standing by). */
  readonly controller?: KafkaController;
  // Filled in as the layers land: replicaManager, controller, groupCoordinator, ...
  [service: string]: unknown;
}
