// StopReplica (5): the controller stops replication of partitions here, optionally deleting their logs.
import { StopReplica } from '../../protocol/messages/05-stop-replica';
import { defineHandler } from './types';

export const stopReplicaHandler = defineHandler({
  api: StopReplica,
  versions: [0, 3],
  handle: async (req, ctx) => {
    await ctx.services.replicaManager.awaitRegistered();
    const r = await ctx.services.replicaManager.stopReplicas(req, ctx.apiVersion);
    return {
      errorCode: r.errorCode,
      partitionErrors: r.partitionErrors.map((e) => ({ topicName: e.topic, partitionIndex: e.partition, errorCode: e.errorCode })),
    };
  },
});
