// The group coordinator's offset APIs: OffsetCommit, OffsetFetch and OffsetDelete.
import { ErrorCode } from '../protocol/errors';
import { GroupMetadata, type CommittedOffset } from './GroupMetadata';
import { parseTpKey, tpKey } from '../util/types';
import type { GroupCoordinatorContext } from './GroupCoordinatorContext';

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommitOffsetsParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  /** OffsetCommit v2-4 retention_time_ms; -1 = broker default. */
  retentionTimeMs: bigint;
  offsets: OffsetCommitEntry[];
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

/** OffsetCommit: one error code per entry, in request order, resolved once the write is committed. */
export async function commitOffsets(gc: GroupCoordinatorContext, p: CommitOffsetsParams): Promise<number[]> {
  const all = (code: number): number[] => p.offsets.map(() => code);
  const status = gc.validateGroupStatus(p.groupId, true);
  if (status !== ErrorCode.NONE) return all(status);
  let group = gc.manager.getGroup(p.groupId);
  if (!group) {
    // Group-less ("simple") consumers commit with generation -1 and no member.
    if (p.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
    group = gc.manager.addGroup(new GroupMetadata(p.groupId, 'Empty', gc.scheduler.now()));
  }
  if (group.is('Dead')) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return all(ErrorCode.FENCED_INSTANCE_ID);
  if (!(p.generationId < 0 && group.is('Empty'))) {
    if (group.is('CompletingRebalance')) return all(ErrorCode.REBALANCE_IN_PROGRESS);
    const member = group.get(p.memberId);
    if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
    if (p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    gc.scheduleHeartbeatExpiration(group, member);
  }
  const now = BigInt(gc.scheduler.now());
  const expireTimestamp = p.retentionTimeMs > 0n ? now + p.retentionTimeMs : null;
  const codes = new Array<number>(p.offsets.length).fill(ErrorCode.NONE);
  const toStore = new Map<string, CommittedOffset>();
  p.offsets.forEach((o, i) => {
    const metadata = o.metadata ?? '';
    if (Buffer.byteLength(metadata, 'utf8') > gc.config.offsetMetadataMaxBytes) {
      codes[i] = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return;
    }
    toStore.set(tpKey(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp });
  });
  const stored = await gc.manager.storeOffsets(group, toStore);
  p.offsets.forEach((o, i) => {
    if (codes[i] === ErrorCode.NONE) codes[i] = stored.get(tpKey(o.topic, o.partition)) ?? ErrorCode.NONE;
  });
  return codes;
}

/** OffsetFetch; `partitions` null = every committed offset of the group. */
export function fetchOffsets(gc: GroupCoordinatorContext, groupId: string, partitions: { topic: string; partition: number }[] | null): { errorCode: number; offsets: FetchedOffset[] } {
  const status = gc.validateGroupStatus(groupId, true);
  if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
  const group = gc.manager.getGroup(groupId);
  const none = (topic: string, partition: number): FetchedOffset => ({ topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE });
  const entry = (topic: string, partition: number, o: CommittedOffset): FetchedOffset => ({
    topic,
    partition,
    offset: o.offset,
    leaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: ErrorCode.NONE,
  });
  if (partitions === null) {
    const offsets: FetchedOffset[] = [];
    if (group && !group.is('Dead')) {
      for (const [k, o] of group.offsets) {
        const { topic, partition } = parseTpKey(k);
        offsets.push(entry(topic, partition, o));
      }
    }
    return { errorCode: ErrorCode.NONE, offsets };
  }
  return {
    errorCode: ErrorCode.NONE,
    offsets: partitions.map(({ topic, partition }) => {
      const o = group && !group.is('Dead') ? group.offsets.get(tpKey(topic, partition)) : undefined;
      return o ? entry(topic, partition, o) : none(topic, partition);
    }),
  };
}

/** OffsetDelete: removes offsets of topics the group is not consuming. */
export async function deleteOffsets(gc: GroupCoordinatorContext, groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; results: number[] }> {
  const status = gc.validateGroupStatus(groupId);
  if (status !== ErrorCode.NONE) return { errorCode: status, results: [] };
  const group = gc.manager.getGroup(groupId);
  if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, results: [] };
  let results: number[];
  if (group.is('Empty')) {
    results = partitions.map(() => ErrorCode.NONE);
  } else if (group.protocolType === 'consumer') {
    results = partitions.map((p) => (group.isSubscribedToTopic(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE));
  } else {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, results: [] };
  }
  const removed: string[] = [];
  partitions.forEach((p, i) => {
    const k = tpKey(p.topic, p.partition);
    if (results[i] === ErrorCode.NONE && group.offsets.delete(k)) removed.push(k);
  });
  if (removed.length > 0) {
    const code = await gc.manager.writeTombstones(groupId, removed, false);
    if (code !== ErrorCode.NONE) return { errorCode: code, results: [] };
  }
  return { errorCode: ErrorCode.NONE, results };
}
