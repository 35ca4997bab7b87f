// Registry of every declared API, keyed by API key; dispatch and ApiVersions derive from it.
import type { ApiSchema } from '../schema';
import { Produce } from './00-produce';
import { Fetch } from './01-fetch';
import { ListOffsets } from './02-list-offsets';
import { Metadata } from './03-metadata';
import { LeaderAndIsr } from './04-leader-and-isr';
import { StopReplica } from './05-stop-replica';
import { UpdateMetadata } from './06-update-metadata';
import { ControlledShutdown } from './07-controlled-shutdown';
import { OffsetCommit } from './08-offset-commit';
import { OffsetFetch } from './09-offset-fetch';
import { FindCoordinator } from './10-find-coordinator';
import { JoinGroup } from './11-join-group';
import { Heartbeat } from './12-heartbeat';
import { LeaveGroup } from './13-leave-group';
import { SyncGroup } from './14-sync-group';
import { DescribeGroups } from './15-describe-groups';
import { ListGroups } from './16-list-groups';
import { SaslHandshake } from './17-sasl-handshake';
import { ApiVersions } from './18-api-versions';
import { CreateTopics } from './19-create-topics';
import { DeleteTopics } from './20-delete-topics';
import { DeleteRecords } from './21-delete-records';
import { InitProducerId } from './22-init-producer-id';
import { OffsetForLeaderEpoch } from './23-offset-for-leader-epoch';
import { AddPartitionsToTxn } from './24-add-partitions-to-txn';
import { AddOffsetsToTxn } from './25-add-offsets-to-txn';
import { EndTxn } from './26-end-txn';
import { WriteTxnMarkers } from './27-write-txn-markers';
import { TxnOffsetCommit } from './28-txn-offset-commit';
import { DescribeAcls } from './29-describe-acls';
import { CreateAcls } from './30-create-acls';
import { DeleteAcls } from './31-delete-acls';
import { DescribeConfigs } from './32-describe-configs';
import { AlterConfigs } from './33-alter-configs';
import { DescribeLogDirs } from './35-describe-log-dirs';
import { SaslAuthenticate } from './36-sasl-authenticate';
import { CreatePartitions } from './37-create-partitions';
import { DeleteGroups } from './42-delete-groups';
import { ElectLeaders } from './43-elect-leaders';
import { IncrementalAlterConfigs } from './44-incremental-alter-configs';
import { AlterPartitionReassignments } from './45-alter-partition-reassignments';
import { ListPartitionReassignments } from './46-list-partition-reassignments';
import { OffsetDelete } from './47-offset-delete';
import { DescribeClientQuotas } from './48-describe-client-quotas';
import { AlterClientQuotas } from './49-alter-client-quotas';
import { DescribeUserScramCredentials } from './50-describe-user-scram-credentials';
import { AlterUserScramCredentials } from './51-alter-user-scram-credentials';
import { AlterIsr } from './56-alter-isr';
import { DescribeCluster } from './60-describe-cluster';
import { DescribeProducers } from './61-describe-producers';
import { DescribeTransactions } from './65-describe-transactions';
import { ListTransactions } from './66-list-transactions';

export * from './00-produce';
export * from './01-fetch';
export * from './02-list-offsets';
export * from './03-metadata';
export * from './04-leader-and-isr';
export * from './05-stop-replica';
export * from './06-update-metadata';
export * from './07-controlled-shutdown';
export * from './08-offset-commit';
export * from './09-offset-fetch';
export * from './10-find-coordinator';
export * from './11-join-group';
export * from './12-heartbeat';
export * from './13-leave-group';
export * from './14-sync-group';
export * from './15-describe-groups';
export * from './16-list-groups';
export * from './17-sasl-handshake';
export * from './18-api-versions';
export * from './19-create-topics';
export * from './20-delete-topics';
export * from './21-delete-records';
export * from './22-init-producer-id';
export * from './23-offset-for-leader-epoch';
export * from './24-add-partitions-to-txn';
export * from './25-add-offsets-to-txn';
export * from './26-end-txn';
export * from './27-write-txn-markers';
export * from './28-txn-offset-commit';
export * from './29-describe-acls';
export * from './30-create-acls';
export * from './31-delete-acls';
export * from './32-describe-configs';
export * from './33-alter-configs';
export * from './35-describe-log-dirs';
export * from './36-sasl-authenticate';
export * from './37-create-partitions';
export * from './42-delete-groups';
export * from './43-elect-leaders';
export * from './44-incremental-alter-configs';
export * from './45-alter-partition-reassignments';
export * from './46-list-partition-reassignments';
export * from './47-offset-delete';
export * from './48-describe-client-quotas';
export * from './49-alter-client-quotas';
export * from './50-describe-user-scram-credentials';
export * from './51-alter-user-scram-credentials';
export * from './56-alter-isr';
export * from './60-describe-cluster';
export * from './61-describe-producers';
export * from './65-describe-transactions';
export * from './66-list-transactions';

/** Every declared API, in API-key order. */
export const allApis: readonly ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  LeaderAndIsr,
  StopReplica,
  UpdateMetadata,
  ControlledShutdown,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  WriteTxnMarkers,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  ElectLeaders,
  IncrementalAlterConfigs,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  OffsetDelete,
  DescribeClientQuotas,
  AlterClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  AlterIsr,
  DescribeCluster,
  DescribeProducers,
  DescribeTransactions,
  ListTransactions,
];

/** API definitions by API key. */
export const apisByKey: ReadonlyMap<number, ApiSchema> = new Map(allApis.map((a) => [a.apiKey, a]));
