// ControlledShutdown (7): a stopping broker asks the controller to move its leadership away first.
import { ControlledShutdown } from '../../protocol/messages/07-controlled-shutdown';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { activeController } from './controllerAccess';

export const controlledShutdownHandler = defineHandler({
  api: ControlledShutdown,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const controller = activeController(ctx);
    if (!controller) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    return controller.controlledShutdown(req.brokerId, req.brokerEpoch);
  },
});
