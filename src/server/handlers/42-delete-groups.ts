// DeleteGroups (42): deletes empty groups with their committed offsets; a group named twice is answered once, as Kafka
// does.
import { DeleteGroups } from '../../protocol/messages/42-delete-groups';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const groups = [...new Set(req.groupsNames)];
    const codes = await ctx.services.groupCoordinator.deleteGroups(groups);
    return {
      throttleTimeMs: 0,
      results: groups.map((groupId) => ({ groupId, errorCode: codes.get(groupId) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE })),
    };
  },
});
