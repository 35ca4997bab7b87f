// LeaveGroup (13): v0-2 name one member id; v3+ batch members (by member id, or by group instance id alone for an
// administrative removal) and answer each; v5 adds a reason per member (KIP-800), only logged.
import { LeaveGroup } from '../../protocol/messages/13-leave-group';
import { ErrorCode } from '../../protocol/errors';
import type { LeavingMember } from '../../coordinator/GroupCoordinator';
import { defineHandler } from './types';
import { authorize } from './authorize';

export const leaveGroupHandler = defineHandler({
  api: LeaveGroup,
  versions: [0, 5],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const leaving: LeavingMember[] = v >= 3
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? m.reason : null }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
    const r = gc.leaveGroup(req.groupId, leaving);
    if (v >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
    // v0-2 carry one error: the group's, else the member's (as Kafka's LeaveGroupResponse folds them).
    const errorCode = r.errorCode !== ErrorCode.NONE ? r.errorCode : (r.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE);
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
