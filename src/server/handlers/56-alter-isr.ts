// AlterIsr (56, KIP-497): a partition leader asks the controller to change an ISR; the only ISR writer path.
import { AlterIsr } from '../../protocol/messages/56-alter-isr';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, refuseUnless } from './authorize';

export const alterIsrHandler = defineHandler({
  api: AlterIsr,
  versions: [0, 0],
  handle: async (req, ctx) => {
    const refusal = refuseUnless(authorizeCluster(ctx, 'cluster-action'), AlterIsr, req, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (refusal) return refusal;
    const controller = ctx.services.controller.active();
    if (!controller) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] };
    return controller.alterIsr(req);
  },
});
