// The group coordinator's group administration: DescribeGroups, ListGroups and DeleteGroups.
import { ErrorCode } from '../protocol/errors';
import type { GroupState } from './GroupMetadata';
import { EMPTY } from './GroupMembership';
import type { GroupCoordinatorContext } from './GroupCoordinatorContext';

export interface GroupSummary {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

export function describeGroup(gc: GroupCoordinatorContext, groupId: string): GroupSummary {
  const status = gc.validateGroupStatus(groupId, true);
  const dead = (errorCode: number): GroupSummary => ({ errorCode, groupId, state: 'Dead', protocolType: '', protocolData: '', members: [] });
  if (status !== ErrorCode.NONE) return dead(status);
  const group = gc.manager.getGroup(groupId);
  if (!group) return dead(ErrorCode.NONE);
  const stable = group.is('Stable');
  const protocol = group.protocolName ?? '';
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    state: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? protocol : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? m.metadata(protocol) : EMPTY,
      assignment: stable ? m.assignment : EMPTY,
    })),
  };
}

/** ListGroups; states match Kafka's state names exactly ('Stable', 'Empty', ...), as Kafka compares them. */
export function listGroups(gc: GroupCoordinatorContext, statesFilter: readonly string[]): { errorCode: number; groups: { groupId: string; protocolType: string; state: GroupState }[] } {
  if (!gc.isActive()) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
  const states = new Set(statesFilter);
  const groups = gc.manager
    .currentGroups()
    .filter((g) => gc.manager.ownership(g.groupId) === 'loaded' && (states.size === 0 || states.has(g.state)))
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  return { errorCode: gc.manager.isLoading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
}

/** DeleteGroups: only empty groups; their offsets and metadata are tombstoned. */
export async function deleteGroups(gc: GroupCoordinatorContext, groupIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const writes: Promise<unknown>[] = [];
  for (const groupId of groupIds) {
    const status = gc.validateGroupStatus(groupId, true);
    if (status !== ErrorCode.NONE) {
      out.set(groupId, status);
      continue;
    }
    const group = gc.manager.getGroup(groupId);
    if (!group || group.is('Dead')) {
      out.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
    } else if (!group.is('Empty')) {
      out.set(groupId, ErrorCode.NON_EMPTY_GROUP);
    } else {
      group.transitionTo('Dead', gc.scheduler.now());
      gc.onGroupDead(group);
      gc.manager.removeGroup(group);
      // Kafka's removeAllOffsets: committed offsets and the pending transactional ones of the same partitions.
      const keys = group.removeOffsets([...group.offsets.keys()]);
      writes.push(gc.manager.writeTombstones(groupId, keys, true));
      out.set(groupId, ErrorCode.NONE);
    }
  }
  await Promise.all(writes);
  return out;
}
