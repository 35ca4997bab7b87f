// ControlledShutdown (7): a stopping broker asks the controller to move its leadership away first.
import { ControlledShutdown } from '../../protocol/messages/07-controlled-shutdown';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';

export const controlledShutdownHandler = defineHandler({
  api: ControlledShutdown,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'cluster-action'), ControlledShutdown, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    const controller = ctx.services.controller.active();
    if (!controller) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    return controller.controlledShutdown(req.brokerId, req.brokerEpoch);
  },
});
