// CreateTopics (19): served by the active controller (others answer NOT_CONTROLLER, and clients retry there).
import { CreateTopics, type CreateTopicsResponseCreatableTopicResult } from '../../protocol/messages/19-create-topics';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';
import { activeController } from './controllerAccess';
import { resolveNewTopicConfigs } from './32-describe-configs';

const NO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A topic that was not created: Kafka resets its configs to an empty list and its counts to -1. */
function failed(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: NO_TOPIC_ID, errorCode, errorMessage, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}

export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  versions: [0, 5],
  handle: async (req, ctx) => {
    const controller = activeController(ctx);
    if (!controller) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, ErrorCode.NOT_CONTROLLER, errorInfo(ErrorCode.NOT_CONTROLLER).message)) };
    }
    const results = await controller.createTopics(req.topics, { validateOnly: req.validateOnly, timeoutMs: req.timeoutMs });

    // v5+ answers each created topic's effective configs, as DescribeConfigs (without synonyms) would list them.
    const describe = ctx.apiVersion >= 5 && results.some((r) => r.errorCode === ErrorCode.NONE);
    const configs = describe
      ? await resolveNewTopicConfigs(ctx, results.map((r) => {
        const requested = req.topics.find((t) => t.name === r.name)?.configs ?? [];
        return Object.fromEntries(requested.flatMap((c) => (c.value === null ? [] : [[c.name, c.value] as const])));
      }))
      : [];
    return {
      throttleTimeMs: 0,
      topics: results.map((r, i): CreateTopicsResponseCreatableTopicResult => {
        if (r.errorCode !== ErrorCode.NONE) return failed(r.name, r.errorCode, r.errorMessage);
        return {
          name: r.name, topicId: NO_TOPIC_ID, errorCode: ErrorCode.NONE, errorMessage: null, topicConfigErrorCode: 0,
          numPartitions: r.numPartitions, replicationFactor: r.replicationFactor,
          configs: (configs[i] ?? []).map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.sensitive })),
        };
      }),
    };
  },
});
