// DeleteTopics (20): served by the active controller; waits (bounded by timeoutMs) for deletion to finish.
import { DeleteTopics } from '../../protocol/messages/20-delete-topics';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  versions: [0, 4],
  handle: async (req, ctx) => {
    const names = req.topicNames;
    const controller = ctx.services.controller.active();
    if (!controller) {
      return {
        throttleTimeMs: 0,
        responses: names.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message })),
      };
    }
    const results = await controller.deleteTopics(names, req.timeoutMs);
    return {
      throttleTimeMs: 0,
      responses: results.map((r) => ({ name: r.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: r.errorCode, errorMessage: r.errorMessage })),
    };
  },
});
