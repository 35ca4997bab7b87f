// DescribeGroups (15): state, protocol and members of each group this broker coordinates; v3+ may ask for the
// operations the caller may perform on each group.
import { DescribeGroups } from '../../protocol/messages/15-describe-groups';
import { ErrorCode } from '../../protocol/errors';
import { authorize, authorizedOperations, OPERATIONS_NOT_REQUESTED } from './authorize';
import { defineHandler } from './types';

export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  versions: [0, 5],
  handle: (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const withOperations = ctx.apiVersion >= 3 && req.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        // Kafka's DescribeGroupsResponse.forError: empty strings, no members, operations not filled.
        if (!authorize(ctx, 'DESCRIBE', 'GROUP', groupId)) {
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [],
            authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        }
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
          // As Kafka: filled only for a group described without error.
          authorizedOperations: withOperations && s.errorCode === ErrorCode.NONE ? authorizedOperations(ctx, 'group', groupId) : OPERATIONS_NOT_REQUESTED,
        };
      }),
    };
  },
});
