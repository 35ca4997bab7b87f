// StopReplica (5): the controller stops replication of partitions here, optionally deleting their logs.
import { StopReplica } from '../../protocol/messages/05-stop-replica';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const stopReplicaHandler = defineHandler({
  api: StopReplica,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'cluster-action'), StopReplica, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    await ctx.services.replicaManager.awaitRegistered();
    const r = await ctx.services.replicaManager.stopReplicas(req, ctx.apiVersion);
    return {
      errorCode: r.errorCode,
      partitionErrors: r.partitionErrors.map((e) => ({ topicName: e.topic, partitionIndex: e.partition, errorCode: e.errorCode })),
    };
  },
});
