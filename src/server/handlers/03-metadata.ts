// Metadata (3): brokers, controller, cluster id and topic/partition state from the MetadataCache.
import { Metadata, type MetadataResponse } from '../../protocol/messages/03-metadata';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

type TopicOut = MetadataResponse['topics'][number];

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

export const metadataHandler = defineHandler({
  api: Metadata,
  versions: [0, 9],
  handle: async (req, ctx) => {
    const cache = ctx.metadataCache;
    const listener = ctx.connection.listenerName;
    const brokers = cache.aliveBrokers().flatMap((b) => {
      const ep = b.endpoints.get(listener);
      return ep ? [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack }] : [];
    });
    // v0: an empty list means all topics; v1+: null means all topics and empty means none.
    const requested = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0)
      ? null
      : req.topics.map((t) => t.name ?? '');
    const names = requested ?? cache.topicNames();
    const autoCreate = requested !== null && ctx.config.get('auto.create.topics.enable') && (ctx.apiVersion < 4 || req.allowAutoTopicCreation);
    const missing: string[] = [];
    const topics: TopicOut[] = [];
    for (const name of names) {
      const parts = cache.partitionsOf(name);
      if (!parts) {
        missing.push(name);
        continue;
      }
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: INTERNAL_TOPICS.has(name),
        partitions: parts.map((p) => {
          const offline = p.replicas.filter((r) => !cache.isBrokerAlive(r));
          return {
            errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
            partitionIndex: p.partition,
            leaderId: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: p.replicas,
            isrNodes: p.isr,
            offlineReplicas: offline,
          };
        }),
        topicAuthorizedOperations: -2147483648,
      });
    }
    // The error code per topic: LEADER_NOT_AVAILABLE once creation started, or why it could not.
    const created = missing.length > 0 && autoCreate ? await ctx.services.autoTopicCreation.createTopics(missing) : new Map<string, number>();
    for (const name of missing) {
      topics.push({
        errorCode: created.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: -2147483648,
      });
    }
    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: cache.clusterId,
      controllerId: cache.controllerId ?? -1,
      topics,
      clusterAuthorizedOperations: -2147483648,
    };
  },
});
