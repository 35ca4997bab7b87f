// Fetch (1): consumer reads bounded by the HW and follower replication bounded by the LEO, with long polling.
import { Fetch, type FetchResponse } from '../../protocol/messages/01-fetch';
import { ErrorCode } from '../../protocol/errors';
import type { FetchPartitionRequest, FetchPartitionResult } from '../ReplicaManager';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';
import { groupByTopic, tpKey } from '../../util/types';

const READ_COMMITTED = 1;

export const fetchHandler = defineHandler({
  api: Fetch,
  // v12 is flexible and adds lastFetchedEpoch (checked here) and the divergingEpoch answer (KIP-595).
  versions: [4, 12],
  handle: async (req, ctx) => {
    const rm = ctx.services.replicaManager;
    const fromFollower = req.replicaId >= 0;
    const wanted: FetchPartitionRequest[] = [];
    const refused: FetchPartitionResult[] = [];
    const order: Array<{ topic: string; partition: number }> = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        order.push({ topic: t.topic, partition: p.partition });
        if (!authorizeTopic(ctx, t.topic, fromFollower ? 'cluster-action' : 'read')) {
          refused.push({ topic: t.topic, partition: p.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null });
          continue;
        }
        wanted.push({ topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: p.currentLeaderEpoch, logStartOffset: p.logStartOffset, maxBytes: p.partitionMaxBytes, lastFetchedEpoch: p.lastFetchedEpoch });
      }
    }
    const fetched = await rm.fetchMessages({
      replicaId: req.replicaId,
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes: req.maxBytes,
      isolationLevel: req.isolationLevel,
      hardMaxBytesLimit: ctx.apiVersion <= 2,
      partitions: wanted,
    });
    const byKey = new Map<string, FetchPartitionResult>();
    for (const r of [...refused, ...fetched]) byKey.set(tpKey(r.topic, r.partition), r);
    const results = order.map((o) => byKey.get(tpKey(o.topic, o.partition)) as FetchPartitionResult);
    // Transactions do not exist yet: read_committed reads up to the HW and no transaction was ever aborted.
    const aborted = req.isolationLevel === READ_COMMITTED ? [] : null;
    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: groupByTopic(results).map(([topic, rs]) => ({
        topic,
        partitionResponses: rs.map((r) => ({
          partition: r.partition,
          errorCode: r.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          divergingEpoch: r.divergingEpoch ?? { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: aborted,
          preferredReadReplica: -1,
          recordSet: r.records ?? Buffer.alloc(0),
        })),
      })),
    };
    return response;
  },
});
