// SyncGroup (14): the leader's assignment goes in, each member's assignment comes out.
import { SyncGroup } from '../../protocol/messages/14-sync-group';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize } from './authorize';

export const syncGroupHandler = defineHandler({
  api: SyncGroup,
  versions: [0, 5],
  handle: async (req, ctx) => {
    const v = ctx.apiVersion;
    // From v5 (KIP-559) the protocol type and name are mandatory: Kafka refuses a request without them before looking
    // at the group; the coordinator then checks that they match the group's.
    if (v >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    const r = await ctx.services.groupCoordinator.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      assignments: req.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
});
