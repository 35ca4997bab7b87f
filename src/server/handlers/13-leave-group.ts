// LeaveGroup (13), v0-2 only: one member id per request (the v3 batch layout is not served).
import { LeaveGroup } from '../../protocol/messages/13-leave-group';
import { defineHandler } from './types';

export const leaveGroupHandler = defineHandler({
  api: LeaveGroup,
  versions: [0, 2],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const errorCode = gc.leaveGroup(req.groupId, req.memberId);
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
