// ListGroups (16): the groups this broker coordinates (clients ask every broker); v4 filters by state (KIP-518).
import { ListGroups } from '../../protocol/messages/16-list-groups';
import { defineHandler } from './types';
import { authorize, authorizeCluster } from './authorize';

export const listGroupsHandler = defineHandler({
  api: ListGroups,
  versions: [0, 4],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const r = gc.listGroups(ctx.apiVersion >= 4 ? req.statesFilter : []);
    // Kafka: DESCRIBE on the cluster lists every group; otherwise only the groups the caller may DESCRIBE.
    const groups = authorizeCluster(ctx, 'describe') ? r.groups : r.groups.filter((g) => authorize(ctx, 'DESCRIBE', 'GROUP', g.groupId));
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
    };
  },
});
