// OffsetForLeaderEpoch (23): the end offset of a leader epoch on the leader, for follower truncation (KIP-101/279).
import { OffsetForLeaderEpoch, type OffsetForLeaderEpochResponse } from '../../protocol/messages/23-offset-for-leader-epoch';
import { defineHandler } from './types';

export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpoch,
  versions: [0, 3],
  handle: (req, ctx) => {
    const rm = ctx.services.replicaManager;
    const topics: OffsetForLeaderEpochResponse['topics'] = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const r = rm.lastOffsetForLeaderEpoch(t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch);
        return { errorCode: r.errorCode, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
});
