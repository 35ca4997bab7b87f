// CreatePartitions (37): served by the active controller.
import { CreatePartitions } from '../../protocol/messages/37-create-partitions';
import { ErrorCode, errorInfo } from '../../protocol/errors';
import { defineHandler } from './types';

export const createPartitionsHandler = defineHandler({
  api: CreatePartitions,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const controller = ctx.services.controller.active();
    if (!controller) {
      return {
        throttleTimeMs: 0,
        results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: errorInfo(ErrorCode.NOT_CONTROLLER).message })),
      };
    }
    const results = await controller.createPartitions(req.topics, { validateOnly: req.validateOnly, timeoutMs: req.timeoutMs });
    return { throttleTimeMs: 0, results: results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage })) };
  },
});
