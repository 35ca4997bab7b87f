// JoinGroup (11): decode, hand the join to the GroupCoordinator, answer when the join phase completes.
import { JoinGroup } from '../../protocol/messages/11-join-group';
import { defineHandler } from './types';
import { authorize } from './authorize';
import { ErrorCode } from '../../protocol/errors';

export const joinGroupHandler = defineHandler({
  api: JoinGroup,
  versions: [0, 9],
  handle: async (req, ctx) => {
    const gc = ctx.services.groupCoordinator;
    const v = ctx.apiVersion;
    const groupInstanceId = v >= 5 ? req.groupInstanceId : null;
    if (!authorize(ctx, 'READ', 'GROUP', req.groupId)) {
      // Kafka's JoinGroupResult(UNKNOWN_MEMBER_ID, GROUP_AUTHORIZATION_FAILED).
      return {
        throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null,
        protocolName: v >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [],
      };
    }
    const r = await gc.joinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId,
      // KIP-394: v4+ dynamic members get their member id through MEMBER_ID_REQUIRED first.
      requireKnownMemberId: v >= 4 && groupInstanceId === null,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      // v0 has no rebalance timeout: the session timeout served as both.
      rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      // Copies: the request frame is not kept alive by the group.
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      reason: v >= 8 ? req.reason : null,
      supportSkippingAssignment: v >= 9,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      // Nullable from v7 (KIP-559); older versions have no null protocol name, so an error answers ''.
      protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leaderId,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
});
