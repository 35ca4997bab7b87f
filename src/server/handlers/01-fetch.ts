// Fetch (1): consumer reads bounded by the HW and follower replication bounded by the LEO, with long polling and
// incremental fetch sessions (KIP-227): the session decides what is read and which partitions the answer carries.
import { Fetch, type FetchRequest, type FetchResponse } from '../../protocol/messages/01-fetch';
import { ErrorCode } from '../../protocol/errors';
import type { FetchPartitionRequest, FetchPartitionResult } from '../ReplicaManager';
import type { ForgottenPartition } from '../FetchSession';
import { defineHandler } from './types';
import { authorizeTopic } from './authorize';
import { groupByTopic, tpKey } from '../../util/types';

const READ_COMMITTED = 1;

/**
 * The request's partitions and forgotten partitions by topic name: the one place that names a request's topics
 * (Fetch v13+ will resolve topic ids here).
 */
function requestPartitions(req: FetchRequest): { fetchData: FetchPartitionRequest[]; toForget: ForgottenPartition[] } {
  const fetchData = req.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: p.currentLeaderEpoch,
    logStartOffset: p.logStartOffset, maxBytes: p.partitionMaxBytes, lastFetchedEpoch: p.lastFetchedEpoch,
  })));
  const toForget = req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  return { fetchData, toForget };
}

export const fetchHandler = defineHandler({
  api: Fetch,
  // v12 is flexible and adds lastFetchedEpoch (checked here) and the divergingEpoch answer (KIP-595).
  versions: [4, 12],
  handle: async (req, ctx) => {
    const rm = ctx.services.replicaManager;
    const fromFollower = req.replicaId >= 0;
    const { fetchData, toForget } = requestPartitions(req);
    // Before v7 the fields are absent and decode as sessionless (id 0, epoch -1).
    const context = ctx.services.fetchManager.newContext(req.sessionId, req.sessionEpoch, fromFollower, fetchData, toForget);
    const wanted: FetchPartitionRequest[] = [];
    const refused: FetchPartitionResult[] = [];
    for (const p of context.partitions) {
      if (authorizeTopic(ctx, p.topic, fromFollower ? 'cluster-action' : 'read')) wanted.push(p);
      else refused.push({ topic: p.topic, partition: p.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null });
    }
    const fetched = wanted.length > 0
      ? await rm.fetchMessages({
        replicaId: req.replicaId,
        maxWaitMs: req.maxWaitMs,
        minBytes: req.minBytes,
        maxBytes: req.maxBytes,
        isolationLevel: req.isolationLevel,
        hardMaxBytesLimit: ctx.apiVersion <= 2,
        partitions: wanted,
      })
      : [];
    const byKey = new Map<string, FetchPartitionResult>();
    for (const r of [...refused, ...fetched]) byKey.set(tpKey(r.topic, r.partition), r);
    const { errorCode, sessionId, results } = context.respond(context.partitions.map((p) => byKey.get(tpKey(p.topic, p.partition)) as FetchPartitionResult));
    // Transactions do not exist yet: read_committed reads up to the HW and no transaction was ever aborted.
    const aborted = req.isolationLevel === READ_COMMITTED ? [] : null;
    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode,
      sessionId,
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
