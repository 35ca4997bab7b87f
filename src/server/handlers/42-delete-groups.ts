// DeleteGroups (42): deletes empty groups with their committed offsets; a group named twice is answered once, as Kafka
// does.
import { DeleteGroups } from '../../protocol/messages/42-delete-groups';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorize } from './authorize';

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  versions: [0, 2],
  handle: async (req, ctx) => {
    const groups = [...new Set(req.groupsNames)];
    // Kafka: DELETE on each group; the others are not passed on.
    const allowed = groups.filter((g) => authorize(ctx, 'DELETE', 'GROUP', g));
    const codes = allowed.length > 0 ? await ctx.services.groupCoordinator.deleteGroups(allowed) : new Map<string, number>();
    for (const g of groups) if (!allowed.includes(g)) codes.set(g, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    return {
      throttleTimeMs: 0,
      results: groups.map((groupId) => ({ groupId, errorCode: codes.get(groupId) ?? ErrorCode.COORDINATOR_NOT_AVAILABLE })),
    };
  },
});
