// Heartbeat (12): answered at once from the group's state, never held behind a rebalance.
import { Heartbeat } from '../../protocol/messages/12-heartbeat';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const heartbeatHandler = defineHandler({
  api: Heartbeat,
  versions: [0, 4],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const errorCode = gc.heartbeat(req.groupId, req.memberId, ctx.apiVersion >= 3 ? req.groupInstanceId : null, req.generationId);
    return { throttleTimeMs: 0, errorCode };
  },
});
