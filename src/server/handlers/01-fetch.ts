// Fetch (1): consumer reads bounded by the HW (read_committed: by the LSO, with the aborted transactions) and follower
// replication bounded by the LEO, with long polling and
// incremental fetch sessions (KIP-227): the session decides what is read and which partitions the answer carries.
import { Fetch, type FetchRequest, type FetchResponse } from '../../protocol/messages/01-fetch';
import { ErrorCode } from '../../protocol/errors';
import type { FetchPartitionRequest } from '../ReplicaManager';
import type { FetchSessionPartition, FetchSessionResult, ForgottenPartition, TopicNameResolver } from '../FetchSession';
import { defineHandler } from './types';
import { authorizeCluster, authorizedNames } from './authorize';
import { maxFetchBytesInQuotaWindow, recordBytesAndThrottle, recordRequestTimeAndThrottle, unrecordFetchBytes } from './quota';
import { ZERO_UUID } from '../../util/uuid';

/** Fetch v13 names topics by id (KIP-516), in requests and responses. */
const TOPIC_IDS_VERSION = 13;

/**
 * The request's partitions and forgotten partitions: the one place that names a request's topics. Before v13 by
 * name; from v13 by id, each resolved to the name this broker knows for it now (null when none, Kafka's
 * FetchRequest.fetchData(topicNames)).
 */
function requestPartitions(req: FetchRequest, topicName: TopicNameResolver | undefined): { fetchData: FetchSessionPartition[]; toForget: ForgottenPartition[] } {
  const name = (t: { topic: string; topicId: string }): string | null => (topicName ? (topicName(t.topicId) ?? null) : t.topic);
  const fetchData = req.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: name(t), topicId: t.topicId, partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: p.currentLeaderEpoch,
    logStartOffset: p.logStartOffset, maxBytes: p.partitionMaxBytes, lastFetchedEpoch: p.lastFetchedEpoch,
  })));
  const toForget = req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topic: name(t), topicId: t.topicId, partition })));
  return { fetchData, toForget };
}

/** Kafka's FetchResponse.partitionResponse: an error and nothing else. */
const errorResult = (p: FetchSessionPartition, errorCode: number): FetchSessionResult => ({
  topic: p.topic, topicId: p.topicId, partition: p.partition, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null,
});

/** Results grouped into response topics, by id from v13 and by name before, in first-seen order. */
function byTopic(results: readonly FetchSessionResult[], usesTopicIds: boolean): Array<{ topic: string; topicId: string; results: FetchSessionResult[] }> {
  const topics = new Map<string, { topic: string; topicId: string; results: FetchSessionResult[] }>();
  for (const r of results) {
    const topicId = r.topicId ?? ZERO_UUID;
    const key = usesTopicIds ? topicId : (r.topic ?? '');
    const t = topics.get(key);
    if (t) t.results.push(r);
    else topics.set(key, { topic: r.topic ?? '', topicId, results: [r] });
  }
  return [...topics.values()];
}

export const fetchHandler = defineHandler({
  api: Fetch,
  // v12 is flexible and adds lastFetchedEpoch (checked here) and the divergingEpoch answer (KIP-595); v13 topic ids.
  versions: [4, 13],
  handle: async (req, ctx) => {
    // Handler time for the request quota: the synchronous parts, not the long poll.
    let mark = performance.now();
    const rm = ctx.services.replicaManager;
    const fromFollower = req.replicaId >= 0;
    const usesTopicIds = ctx.apiVersion >= TOPIC_IDS_VERSION;
    // Resolved synchronously, with no await before the context is made, so the whole request sees one metadata state.
    const topicName: TopicNameResolver | undefined = usesTopicIds ? (id) => ctx.metadataCache.getTopicName(id) : undefined;
    const { fetchData, toForget } = requestPartitions(req, topicName);
    // Before v7 the fields are absent and decode as sessionless (id 0, epoch -1).
    const context = ctx.services.fetchManager.newContext(req.sessionId, req.sessionEpoch, fromFollower, fetchData, toForget, topicName);
    // One result per partition the context reads, in its order: errors decided here, the rest read below.
    const results: Array<FetchSessionResult | undefined> = [];
    const wanted: FetchPartitionRequest[] = [];
    const wantedAt: number[] = [];
    // Kafka: a follower needs CLUSTER_ACTION on the cluster (checked once), a consumer READ on each topic.
    const followerAllowed = fromFollower && authorizeCluster(ctx, 'cluster-action');
    const mayRead = authorizedNames(ctx, 'READ', 'TOPIC');
    for (const [i, p] of context.partitions.entries()) {
      if (p.topic === null) results.push(errorResult(p, ErrorCode.UNKNOWN_TOPIC_ID));
      else if (fromFollower ? !followerAllowed : !mayRead(p.topic)) results.push(errorResult(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      else {
        results.push(undefined);
        wanted.push({ ...p, topic: p.topic });
        wantedAt.push(i);
      }
    }
    // Kafka caps a consumer's max bytes at what its quota allows in one window: more would be throttled for sure.
    const maxBytes = fromFollower ? req.maxBytes : Math.min(req.maxBytes, Math.floor(maxFetchBytesInQuotaWindow(ctx)));
    let handlerMs = performance.now() - mark;
    const fetched = wanted.length > 0
      ? await rm.fetchMessages({
        replicaId: req.replicaId,
        maxWaitMs: req.maxWaitMs,
        minBytes: Math.min(req.minBytes, maxBytes),
        maxBytes,
        isolationLevel: req.isolationLevel,
        hardMaxBytesLimit: ctx.apiVersion <= 2,
        partitions: wanted,
        // The records go out by reference, so their buffers can come back to the connection's pool once written.
        alloc: ctx.connection.allocResponseBytes === undefined ? undefined : (n) => ctx.connection.allocResponseBytes!(n),
      })
      : [];
    // fetchMessages answers its partitions in order; the result carries the id the fetcher named the topic by.
    mark = performance.now();
    for (const [j, r] of fetched.entries()) results[wantedAt[j] as number] = { ...r, topicId: wanted[j]?.topicId };
    // Quotas (KIP-219; followers are exempt): the records' bytes against consumer_byte_rate and the handler time
    // against request_percentage. Over either, Kafka answers at once with the throttle time and no records, takes the
    // bytes back off the quota and mutes the connection; the fetch session is left as it was.
    let throttleTimeMs = 0;
    if (!fromFollower) {
      const bytes = fetched.reduce((n, r) => n + (r.records?.length ?? 0), 0);
      handlerMs += performance.now() - mark;
      throttleTimeMs = Math.max(recordRequestTimeAndThrottle(ctx, handlerMs), recordBytesAndThrottle(ctx, 'fetch', bytes));
      if (throttleTimeMs > 0) unrecordFetchBytes(ctx, bytes);
    }
    const { errorCode, sessionId, results: sent } = throttleTimeMs > 0 ? context.throttledResponse() : context.respond(results as FetchSessionResult[]);
    const response: FetchResponse = {
      throttleTimeMs,
      errorCode,
      sessionId,
      responses: byTopic(sent, usesTopicIds).map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitionResponses: t.results.map((r) => ({
          partition: r.partition,
          errorCode: r.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          divergingEpoch: r.divergingEpoch ?? { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          // A list for read_committed reads, null otherwise and for errors (Kafka's FetchDataInfo.abortedTransactions).
          abortedTransactions: r.abortedTransactions ?? null,
          preferredReadReplica: -1,
          recordSet: r.records ?? Buffer.alloc(0),
        })),
      })),
    };
    return response;
  },
});
