// CreateTopics (19): served by the active controller (others answer NOT_CONTROLLER, and clients retry there).
import { CreateTopics } from '../../protocol/messages/19-create-topics';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';
import { activeController } from './controllerAccess';

export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  versions: [0, 5],
  handle: async (req, ctx) => {
    const controller = activeController(ctx);
    if (!controller) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message, topicConfigErrorCode: 0,
          numPartitions: -1, replicationFactor: -1, configs: null,
        })),
      };
    }
    const results = await controller.createTopics(req.topics, { validateOnly: req.validateOnly, timeoutMs: req.timeoutMs });
    return {
      throttleTimeMs: 0,
      topics: results.map((r) => ({
        name: r.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: r.errorCode, errorMessage: r.errorMessage,
        topicConfigErrorCode: 0, numPartitions: r.numPartitions, replicationFactor: r.replicationFactor, configs: null,
      })),
    };
  },
});
