// CreateTopics (19): served by the active controller (others answer NOT_CONTROLLER, and clients retry there). Like
// Kafka, it answers once this broker's metadata has a leader for every new partition, or at the request's timeout.
// v6 only adds THROTTLING_QUOTA_EXCEEDED (no quotas here); v7 answers each new topic's id (KIP-516).
import { CreateTopics, type CreateTopicsResponseCreatableTopicResult } from '../../protocol/messages/19-create-topics';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import type { MetadataCache } from '../MetadataCache';
import { ZERO_UUID } from '../../util/uuid';
import { defineHandler } from './types';
import { authorize, authorizedNames } from './authorize';


/** A topic that was not created: Kafka resets its configs to an empty list and its counts to -1. */
function failed(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** Kafka's DelayedCreatePartitions condition: every partition of the topic has a leader in this broker's cache. */
function hasLeaders(cache: MetadataCache, topic: string, partitions: number): boolean {
  for (let p = 0; p < partitions; p++) if ((cache.getPartition(topic, p)?.leader ?? -1) < 0) return false;
  return true;
}

export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  versions: [0, 7],
  handle: async (req, ctx) => {
    const controller = ctx.services.controller.active();
    if (!controller) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, ErrorCode.NOT_CONTROLLER, errorInfo(ErrorCode.NOT_CONTROLLER).message)) };
    }
    const deadline = Date.now() + req.timeoutMs;
    // Kafka: CREATE on the cluster, or else on each topic (a topic named twice is left to the duplicate check);
    // DESCRIBE_CONFIGS on a topic to get its configs, partition count and replication factor back.
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const clusterCreate = authorize(ctx, 'CREATE', 'CLUSTER', 'kafka-cluster');
    const mayCreate = authorizedNames(ctx, 'CREATE', 'TOPIC');
    const mayDescribeConfigs = authorizedNames(ctx, 'DESCRIBE_CONFIGS', 'TOPIC');
    const refused = (name: string): boolean => (counts.get(name) ?? 0) === 1 && !clusterCreate && !mayCreate(name);
    const passed = req.topics.filter((t) => !refused(t.name));
    const answered = passed.length > 0 ? await controller.createTopics(passed, { validateOnly: req.validateOnly, timeoutMs: req.timeoutMs }) : [];
    let next = 0;
    const results = req.topics.map((t) => (refused(t.name)
      ? { name: t.name, topicId: ZERO_UUID, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.', numPartitions: -1, replicationFactor: -1 }
      : answered[next++]!));

    const created = req.validateOnly ? [] : results.filter((r) => r.errorCode === ErrorCode.NONE);
    const leaderless = (): Set<string> => new Set(created.filter((r) => !hasLeaders(ctx.metadataCache, r.name, r.numPartitions)).map((r) => r.name));
    // With timeout_ms <= 0 Kafka answers at once, REQUEST_TIMED_OUT for the topics whose creation it started.
    let timedOut = new Set(req.timeoutMs <= 0 ? created.map((r) => r.name) : []);
    if (created.length > 0 && req.timeoutMs > 0) {
      await ctx.metadataCache.waitUntil(() => leaderless().size === 0, deadline - Date.now());
      timedOut = leaderless();
    }

    // v5+ answers each created topic's effective configs, as DescribeConfigs (without synonyms) would list them.
    const describe = ctx.apiVersion >= 5 && results.some((r) => r.errorCode === ErrorCode.NONE && !timedOut.has(r.name));
    const configs = describe
      ? await ctx.services.configs.describeNewTopics(results.map((r) => {
        const requested = req.topics.find((t) => t.name === r.name)?.configs ?? [];
        return Object.fromEntries(requested.flatMap((c) => (c.value === null ? [] : [[c.name, c.value] as const])));
      }))
      : [];
    return {
      throttleTimeMs: 0,
      topics: results.map((r, i): CreateTopicsResponseCreatableTopicResult => {
        if (timedOut.has(r.name)) return failed(r.name, ErrorCode.REQUEST_TIMED_OUT, null);
        if (r.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED && refused(r.name)) {
          return { ...failed(r.name, r.errorCode, r.errorMessage), topicConfigErrorCode: mayDescribeConfigs(r.name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        }
        if (r.errorCode !== ErrorCode.NONE) return failed(r.name, r.errorCode, r.errorMessage);
        if (!mayDescribeConfigs(r.name)) {
          return { ...failed(r.name, ErrorCode.NONE, null), topicId: r.topicId, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        }
        return {
          name: r.name, topicId: r.topicId, errorCode: ErrorCode.NONE, errorMessage: null, topicConfigErrorCode: 0,
          numPartitions: r.numPartitions, replicationFactor: r.replicationFactor,
          configs: (configs[i] ?? []).map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.sensitive })),
        };
      }),
    };
  },
});
