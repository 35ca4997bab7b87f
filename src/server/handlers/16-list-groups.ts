// ListGroups (16), v0-2: the groups this broker coordinates (clients ask every broker).
import { ListGroups } from '../../protocol/messages/16-list-groups';
import { defineHandler } from './types';

export const listGroupsHandler = defineHandler({
  api: ListGroups,
  versions: [0, 2],
  handle: (_req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const r = gc.listGroups();
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      groups: r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
    };
  },
});
