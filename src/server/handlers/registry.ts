// The one list of handlers: dispatch, ApiVersions and documentation are all derived from it.
import type { AdvertisedApi, RegisteredHandler } from './types';
import { withRequestQuota } from './quota';
import { metadataHandler } from './03-metadata';
import { apiVersionsHandler } from './18-api-versions';
import { controlledShutdownHandler } from './07-controlled-shutdown';
import { createTopicsHandler } from './19-create-topics';
import { deleteTopicsHandler } from './20-delete-topics';
import { createPartitionsHandler } from './37-create-partitions';
import { electLeadersHandler } from './43-elect-leaders';
import { alterPartitionReassignmentsHandler } from './45-alter-partition-reassignments';
import { listPartitionReassignmentsHandler } from './46-list-partition-reassignments';
import { alterIsrHandler } from './56-alter-isr';
import { produceHandler } from './00-produce';
import { fetchHandler } from './01-fetch';
import { listOffsetsHandler } from './02-list-offsets';
import { leaderAndIsrHandler } from './04-leader-and-isr';
import { stopReplicaHandler } from './05-stop-replica';
import { updateMetadataHandler } from './06-update-metadata';
import { deleteRecordsHandler } from './21-delete-records';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch';
import { initProducerIdHandler } from './22-init-producer-id';
import { addPartitionsToTxnHandler } from './24-add-partitions-to-txn';
import { addOffsetsToTxnHandler } from './25-add-offsets-to-txn';
import { endTxnHandler } from './26-end-txn';
import { describeTransactionsHandler } from './65-describe-transactions';
import { listTransactionsHandler } from './66-list-transactions';
import { offsetCommitHandler } from './08-offset-commit';
import { offsetFetchHandler } from './09-offset-fetch';
import { findCoordinatorHandler } from './10-find-coordinator';
import { joinGroupHandler } from './11-join-group';
import { heartbeatHandler } from './12-heartbeat';
import { leaveGroupHandler } from './13-leave-group';
import { syncGroupHandler } from './14-sync-group';
import { describeGroupsHandler } from './15-describe-groups';
import { listGroupsHandler } from './16-list-groups';
import { deleteGroupsHandler } from './42-delete-groups';
import { offsetDeleteHandler } from './47-offset-delete';
import { txnOffsetCommitHandler } from './28-txn-offset-commit';

import { describeConfigsHandler } from './32-describe-configs';
import { alterConfigsHandler } from './33-alter-configs';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs';
import { describeLogDirsHandler } from './35-describe-log-dirs';
import { describeClusterHandler } from './60-describe-cluster';
import { describeProducersHandler } from './61-describe-producers';
import { writeTxnMarkersHandler } from './27-write-txn-markers';
import { describeAclsHandler } from './29-describe-acls';
import { createAclsHandler } from './30-create-acls';
import { deleteAclsHandler } from './31-delete-acls';
import { describeClientQuotasHandler } from './48-describe-client-quotas';
import { alterClientQuotasHandler } from './49-alter-client-quotas';
import { describeUserScramCredentialsHandler } from './50-describe-user-scram-credentials';
import { alterUserScramCredentialsHandler } from './51-alter-user-scram-credentials';
import { saslHandshakeHandler } from './17-sasl-handshake';
import { saslAuthenticateHandler } from './36-sasl-authenticate';

const all: readonly RegisteredHandler[] = [
  describeConfigsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  describeLogDirsHandler,
  describeClusterHandler,
  metadataHandler,
  apiVersionsHandler,
  controlledShutdownHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  electLeadersHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  alterIsrHandler,
  // Consumer groups (coordinator/)
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  txnOffsetCommitHandler,
  // Data path and replication (ReplicaManager)
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  leaderAndIsrHandler,
  stopReplicaHandler,
  updateMetadataHandler,
  deleteRecordsHandler,
  offsetForLeaderEpochHandler,
  // Idempotent producer
  initProducerIdHandler,
  describeProducersHandler,
  // Transactions (coordinator/transaction/)
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  // Transactions
  writeTxnMarkersHandler,
  // Security: ACLs, client quotas, SCRAM credentials (issue #17)
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeClientQuotasHandler,
  alterClientQuotasHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
  // SASL outside an exchange (the exchange itself runs in src/network)
  saslHandshakeHandler,
  saslAuthenticateHandler,
];

// Every handler but the exempt ones records its time against the request quota (quota.ts).
export const handlersByKey: ReadonlyMap<number, RegisteredHandler> = new Map(all.map((h) => [h.api.apiKey, withRequestQuota(h)]));

/** What ApiVersions answers: every registered API with the versions its handler serves, by API key. */
export const advertisedApis: readonly AdvertisedApi[] = [...handlersByKey.values()]
  .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.versions[0], maxVersion: h.versions[1] }))
  .sort((a, b) => a.apiKey - b.apiKey);
