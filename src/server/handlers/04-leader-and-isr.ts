// LeaderAndIsr (4): the controller makes this broker leader or follower of partitions.
import { LeaderAndIsr, type LeaderAndIsrResponse } from '../../protocol/messages/04-leader-and-isr';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';
import { ErrorCode } from '../../protocol/errors';
import { groupByTopic } from '../../util/types';

export const leaderAndIsrHandler = defineHandler({
  api: LeaderAndIsr,
  versions: [0, 5],
  handle: async (req, ctx) => {
    // Controller-to-broker: CLUSTER_ACTION on the cluster, as every inter-broker API.
    const refusal = refuseUnless(authorizeCluster(ctx, 'cluster-action'), LeaderAndIsr, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    await ctx.services.replicaManager.awaitRegistered();
    const r = await ctx.services.replicaManager.becomeLeaderOrFollower(req, ctx.apiVersion);
    const topicIds = new Map(req.topicStates.map((t) => [t.topicName, t.topicId]));
    const response: LeaderAndIsrResponse = {
      errorCode: r.errorCode,
      partitionErrors: r.partitionErrors.map((e) => ({ topicName: e.topic, partitionIndex: e.partition, errorCode: e.errorCode })),
      topics: groupByTopic(r.partitionErrors).map(([topic, es]) => ({
        topicId: topicIds.get(topic) ?? 'AAAAAAAAAAAAAAAAAAAAAA',
        partitionErrors: es.map((e) => ({ topicName: e.topic, partitionIndex: e.partition, errorCode: e.errorCode })),
      })),
    };
    return response;
  },
});
