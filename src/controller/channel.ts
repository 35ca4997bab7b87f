// The controller's outbound side: request shapes it sends to brokers and the channel interface that carries them.
import type { EndPoint } from '../zk/api';

export interface PartitionStateInfo {
  topic: string;
  /** The topic's id (KIP-516), the zero uuid when it has none. */
  topicId: string;
  partition: number;
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface LeaderAndIsrPartition extends PartitionStateInfo {
  isNew: boolean;
}

export interface UpdateMetadataPartition extends PartitionStateInfo {
  offlineReplicas: number[];
}

export interface BrokerInfo {
  id: number;
  endpoints: EndPoint[];
  rack: string | null;
}

interface ControllerHeader {
  controllerId: number;
  controllerEpoch: number;
  /** Epoch of the target broker's registration (czxid), so an old incarnation refuses the request. */
  brokerEpoch: bigint;
}

export interface LeaderAndIsrCommand extends ControllerHeader {
  partitions: LeaderAndIsrPartition[];
  /** Brokers leading the partitions above, so followers know whom to fetch from. */
  liveLeaders: BrokerInfo[];
}

export interface UpdateMetadataCommand extends ControllerHeader {
  partitions: UpdateMetadataPartition[];
  liveBrokers: BrokerInfo[];
}

export interface StopReplicaPartition {
  topic: string;
  partition: number;
  leaderEpoch: number;
  deletePartition: boolean;
}

export interface StopReplicaCommand extends ControllerHeader {
  partitions: StopReplicaPartition[];
}

export interface StopReplicaResult {
  errorCode: number;
  partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

/** Leader value Kafka sends in UpdateMetadata for partitions of a topic being deleted. */
export const LEADER_DURING_DELETE = -2;

/**
 * Delivers controller requests to brokers: one ordered queue per broker, retried until the broker answers
 * or is removed. `send*` only enqueue; callbacks run when the broker answers (never for a removed broker).
 */
export interface ControllerChannel {
  addBroker(broker: BrokerInfo): void;
  removeBroker(brokerId: number): void;
  sendLeaderAndIsr(brokerId: number, request: LeaderAndIsrCommand): void;
  sendUpdateMetadata(brokerId: number, request: UpdateMetadataCommand): void;
  sendStopReplica(brokerId: number, request: StopReplicaCommand, onResponse?: (result: StopReplicaResult) => void): void;
  /** Drops every queue (resignation or shutdown). */
  removeAllBrokers(): void;
}
