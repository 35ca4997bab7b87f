// DescribeGroups (15), v0-4: state, protocol and members of each group this broker coordinates.
import { DescribeGroups } from '../../protocol/messages/15-describe-groups';
import { defineHandler } from './types';

export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  versions: [0, 4],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const s = gc.describeGroup(groupId);
        return {
          errorCode: s.errorCode,
          groupId,
          groupState: s.state,
          protocolType: s.protocolType,
          protocolData: s.protocolData,
          members: s.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: -2147483648,
        };
      }),
    };
  },
});
