// Partition and replica states with their tables of valid previous states (Kafka's state machines).

export type PartitionState = 'NewPartition' | 'OnlinePartition' | 'OfflinePartition' | 'NonExistentPartition';

export type ReplicaState =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

/** target state -> the states a partition may move to it from. */
export const VALID_PREVIOUS_PARTITION_STATES: Readonly<Record<PartitionState, readonly PartitionState[]>> = {
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  NonExistentPartition: ['OfflinePartition'],
};

/** target state -> the states a replica may move to it from. */
export const VALID_PREVIOUS_REPLICA_STATES: Readonly<Record<ReplicaState, readonly ReplicaState[]>> = {
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
  NonExistentReplica: ['ReplicaDeletionSuccessful'],
};

export function isValidPartitionTransition(from: PartitionState, to: PartitionState): boolean {
  return VALID_PREVIOUS_PARTITION_STATES[to].includes(from);
}

export function isValidReplicaTransition(from: ReplicaState, to: ReplicaState): boolean {
  return VALID_PREVIOUS_REPLICA_STATES[to].includes(from);
}
