// SyncGroup (14): the leader's assignment goes in, each member's assignment comes out.
import { SyncGroup } from '../../protocol/messages/14-sync-group';
import { defineHandler } from './types';

export const syncGroupHandler = defineHandler({
  api: SyncGroup,
  versions: [0, 3],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const r = await gc.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? req.groupInstanceId : null,
      protocolType: ctx.apiVersion >= 5 ? req.protocolType : null,
      protocolName: ctx.apiVersion >= 5 ? req.protocolName : null,
      assignments: req.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
});
