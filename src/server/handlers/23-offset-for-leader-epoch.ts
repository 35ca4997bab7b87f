// OffsetForLeaderEpoch (23): the end offset of a leader epoch on the leader, for follower truncation (KIP-101/279).
import { OffsetForLeaderEpoch, type OffsetForLeaderEpochResponse } from '../../protocol/messages/23-offset-for-leader-epoch';
import { defineHandler } from './types';
import { authorizeCluster, authorizedNames } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpoch,
  versions: [0, 3],
  handle: (req, ctx) => {
    const rm = ctx.services.replicaManager;
    // Kafka: CLUSTER_ACTION on the cluster (followers) lets every topic through; others need DESCRIBE on each.
    const mayDescribe = authorizeCluster(ctx, 'cluster-action') ? () => true : authorizedNames(ctx, 'DESCRIBE', 'TOPIC');
    const topics: OffsetForLeaderEpochResponse['topics'] = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        if (!mayDescribe(t.topic)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        const r = rm.lastOffsetForLeaderEpoch(t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch);
        return { errorCode: r.errorCode, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
});
