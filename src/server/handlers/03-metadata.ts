// Metadata (3): brokers, controller, cluster id and topic/partition state from the MetadataCache; topics by name, or
// from v12 by topic id (KIP-516).
import { Metadata, type MetadataRequest, type MetadataResponse } from '../../protocol/messages/03-metadata';
import { ErrorCode } from '../../protocol/errors';
import { ZERO_UUID, isRealTopicId } from '../../util/uuid';
import { OPERATIONS_NOT_REQUESTED, authorize, authorizeCluster, authorizedNames, authorizedOperations } from './authorize';
import { defineHandler, type RequestContext } from './types';
import { OFFSETS_TOPIC } from '../../coordinator/javaHash';
import { TRANSACTION_STATE_TOPIC } from '../../coordinator/transaction/TransactionLog';

type TopicOut = MetadataResponse['topics'][number];

export const INTERNAL_TOPICS = new Set([OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

/** A topic answered without partitions: unknown, being created, or asked for by an id no topic has. */
function topicWithoutPartitions(errorCode: number, name: string | null, topicId: string, isInternal = false): TopicOut {
  return { errorCode, name, topicId, isInternal, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED };
}

/**
 * Kafka's MetadataRequest.getErrorResponse for a request refused as a whole (INVALID_REQUEST): every topic asked for
 * with the error, no brokers, no cluster id.
 */
function refused(req: MetadataRequest, errorCode: number): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => topicWithoutPartitions(errorCode, t.name ?? '', t.topicId)),
    clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

function existingTopic(ctx: RequestContext, name: string): TopicOut | null {
  const cache = ctx.metadataCache;
  const parts = cache.partitionsOf(name);
  if (!parts) return null;
  return {
    errorCode: ErrorCode.NONE,
    name,
    topicId: cache.topicIdOrZero(name),
    isInternal: INTERNAL_TOPICS.has(name),
    partitions: parts.map((p) => ({
      errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !cache.isBrokerAlive(r)),
    })),
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

export const metadataHandler = defineHandler({
  api: Metadata,
  versions: [0, 12],
  handle: async (req, ctx) => {
    const version = ctx.apiVersion;
    const cache = ctx.metadataCache;
    const listener = ctx.connection.listenerName;
    // v0: an empty list means all topics; v1+: null means all topics and empty means none.
    const allTopics = req.topics === null || (version === 0 && req.topics.length === 0);
    const asked = allTopics ? [] : (req.topics ?? []);
    // v10 and v11 declared topic ids and null names, but only v12 serves them: Kafka refuses them below.
    if (version < 12 && asked.some((t) => t.name === null || t.topicId !== ZERO_UUID)) return refused(req, ErrorCode.INVALID_REQUEST);

    // Any real id makes the request one by id (names are then ignored, as Kafka does).
    const askedIds = [...new Set(asked.map((t) => t.topicId).filter(isRealTopicId))];
    const byId = askedIds.length > 0;
    const unknownIds = askedIds.filter((id) => cache.getTopicName(id) === undefined);
    const requested = allTopics
      ? cache.topicNames()
      : byId
        ? askedIds.flatMap((id) => cache.getTopicName(id) ?? [])
        : [...new Set(asked.map((t) => t.name ?? ''))];
    const autoCreate = !allTopics && !byId && ctx.config.get('auto.create.topics.enable') && (version < 4 || req.allowAutoTopicCreation);

    // Kafka's checks: DESCRIBE on each topic. Listing all topics silently leaves out the others; topics asked for
    // by name are answered TOPIC_AUTHORIZATION_FAILED without saying whether they exist.
    const mayDescribe = authorizedNames(ctx, 'DESCRIBE', 'TOPIC');
    const names = requested.filter(mayDescribe);
    const deniedDescribe: TopicOut[] = allTopics
      ? []
      : requested.filter((n) => !mayDescribe(n)).map((n) => topicWithoutPartitions(ErrorCode.TOPIC_AUTHORIZATION_FAILED, byId ? null : n, byId ? cache.topicIdOrZero(n) : ZERO_UUID));

    const topics: TopicOut[] = [];
    let missing: string[] = [];
    for (const name of names) {
      const t = existingTopic(ctx, name);
      if (t) topics.push(t);
      else missing.push(name);
    }
    // Auto-creation needs CREATE on the cluster or on the topic; a topic that may not be created is answered
    // TOPIC_AUTHORIZATION_FAILED.
    const refusedCreation: TopicOut[] = [];
    if (autoCreate && missing.length > 0 && !authorize(ctx, 'CREATE', 'CLUSTER', 'kafka-cluster')) {
      const mayCreate = (n: string): boolean => authorize(ctx, 'CREATE', 'TOPIC', n);
      for (const n of missing) if (!mayCreate(n)) refusedCreation.push(topicWithoutPartitions(ErrorCode.TOPIC_AUTHORIZATION_FAILED, n, ZERO_UUID, INTERNAL_TOPICS.has(n)));
      missing = missing.filter(mayCreate);
    }
    // The error code per topic: LEADER_NOT_AVAILABLE once creation started, or why it could not.
    // Internal topics are created by their coordinators with their own settings (compaction, partitions, min ISR),
    // as Kafka's getOrCreateInternalTopic does, never with the defaults of ordinary auto-creation.
    const created = new Map<string, number>();
    if (autoCreate) {
      const ordinary = missing.filter((n) => !INTERNAL_TOPICS.has(n));
      if (ordinary.length > 0) for (const [n, code] of await ctx.services.autoTopicCreation.createTopics(ordinary)) created.set(n, code);
      if (missing.includes(OFFSETS_TOPIC)) {
        void ctx.services.groupCoordinator.ensureOffsetsTopic();
        created.set(OFFSETS_TOPIC, ErrorCode.LEADER_NOT_AVAILABLE);
      }
      if (missing.includes(TRANSACTION_STATE_TOPIC)) {
        void ctx.services.transactionCoordinator.ensureTransactionTopic();
        created.set(TRANSACTION_STATE_TOPIC, ErrorCode.LEADER_NOT_AVAILABLE);
      }
    }
    for (const name of missing) {
      topics.push(topicWithoutPartitions(created.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, cache.topicIdOrZero(name), INTERNAL_TOPICS.has(name)));
    }
    // v8+: the operations the caller may perform, when asked (Kafka's no-authorizer value: all the type supports);
    // v11 dropped the cluster's (DescribeCluster answers it, KIP-700).
    if (version >= 8 && req.includeTopicAuthorizedOperations) {
      for (const t of topics) t.topicAuthorizedOperations = authorizedOperations(ctx, 'topic', t.name ?? '');
    }
    // Without DESCRIBE on the cluster, the cluster's operations asked for are none at all.
    const clusterAuthorizedOperations = version >= 8 && version <= 10 && req.includeClusterAuthorizedOperations
      ? (authorizeCluster(ctx, 'describe') ? authorizedOperations(ctx, 'cluster', 'kafka-cluster') : 0)
      : OPERATIONS_NOT_REQUESTED;

    return {
      throttleTimeMs: 0,
      brokers: cache.aliveBrokers().flatMap((b) => {
        const ep = b.endpoints.get(listener);
        return ep ? [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack }] : [];
      }),
      clusterId: cache.clusterId,
      controllerId: cache.controllerId ?? -1,
      // Kafka lists the ids it could not resolve first.
      topics: [...unknownIds.map((id) => topicWithoutPartitions(ErrorCode.UNKNOWN_TOPIC_ID, null, id)), ...topics, ...refusedCreation, ...deniedDescribe],
      clusterAuthorizedOperations,
    };
  },
});
