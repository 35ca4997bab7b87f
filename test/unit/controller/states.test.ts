// Table tests of the partition and replica state transition tables.
import {
  isValidPartitionTransition,
  isValidReplicaTransition,
  type PartitionState,
  type ReplicaState,
} from '../../../src/controller/states';

const P: PartitionState[] = ['NewPartition', 'OnlinePartition', 'OfflinePartition', 'NonExistentPartition'];
const R: ReplicaState[] = [
  'NewReplica',
  'OnlineReplica',
  'OfflineReplica',
  'ReplicaDeletionStarted',
  'ReplicaDeletionSuccessful',
  'ReplicaDeletionIneligible',
  'NonExistentReplica',
];

const partitionValid = new Set([
  'NonExistentPartition>NewPartition',
  'NewPartition>OnlinePartition',
  'OnlinePartition>OnlinePartition',
  'OfflinePartition>OnlinePartition',
  'NewPartition>OfflinePartition',
  'OnlinePartition>OfflinePartition',
  'OfflinePartition>OfflinePartition',
  'OfflinePartition>NonExistentPartition',
]);

const replicaValid = new Set([
  'NonExistentReplica>NewReplica',
  'NewReplica>OnlineReplica',
  'OnlineReplica>OnlineReplica',
  'OfflineReplica>OnlineReplica',
  'ReplicaDeletionIneligible>OnlineReplica',
  'NewReplica>OfflineReplica',
  'OnlineReplica>OfflineReplica',
  'OfflineReplica>OfflineReplica',
  'ReplicaDeletionIneligible>OfflineReplica',
  'OfflineReplica>ReplicaDeletionStarted',
  'ReplicaDeletionStarted>ReplicaDeletionSuccessful',
  'OfflineReplica>ReplicaDeletionIneligible',
  'ReplicaDeletionStarted>ReplicaDeletionIneligible',
  'ReplicaDeletionSuccessful>NonExistentReplica',
]);

describe('partition state transitions', () => {
  const cases = P.flatMap((from) => P.map((to) => [from, to, partitionValid.has(`${from}>${to}`)] as const));
  test.each(cases)('%s -> %s valid=%s', (from, to, valid) => {
    expect(isValidPartitionTransition(from, to)).toBe(valid);
  });
});

describe('replica state transitions', () => {
  const cases = R.flatMap((from) => R.map((to) => [from, to, replicaValid.has(`${from}>${to}`)] as const));
  test.each(cases)('%s -> %s valid=%s', (from, to, valid) => {
    expect(isValidReplicaTransition(from, to)).toBe(valid);
  });
});
