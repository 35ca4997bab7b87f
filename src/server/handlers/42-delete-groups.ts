// DeleteGroups (42), v0-1: deletes empty groups with their committed offsets.
import { DeleteGroups } from '../../protocol/messages/42-delete-groups';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  versions: [0, 1],
  handle: async (req, ctx) => {
    const codes = await ctx.services.groupCoordinator.deleteGroups(req.groupsNames);
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({ groupId, errorCode: codes.get(groupId) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE })),
    };
  },
});
