// The group coordinator's offset APIs: OffsetCommit, OffsetFetch and OffsetDelete.
import { ErrorCode } from '../protocol/errors';
import { GroupMetadata, type CommittedOffset } from './GroupMetadata';
import { parseTpKey, tpKey } from '../util/types';
import type { GroupCoordinatorContext } from './GroupCoordinatorContext';
import type { TxnProducer } from './GroupMetadataManager';

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

/** TxnOffsetCommit: the commits of a transactional producer, pending until its transaction completes. */
export interface TxnCommitOffsetsParams {
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  /** v3+ (KIP-447); '' when absent: no member check. */
  memberId: string;
  groupInstanceId: string | null;
  /** v3+ (KIP-447); -1 when absent: no generation check. */
  generationId: number;
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
  return store(gc, group, p.offsets, now, expireTimestamp, null);
}

/**
 * Validates the offsets' metadata sizes, writes the others and answers one code per entry in request order
 * (OFFSET_METADATA_TOO_LARGE per partition, as Kafka's storeOffsets).
 */
async function store(gc: GroupCoordinatorContext, group: GroupMetadata, entries: OffsetCommitEntry[], now: bigint, expireTimestamp: bigint | null, txn: TxnProducer | null): Promise<number[]> {
  const codes = new Array<number>(entries.length).fill(ErrorCode.NONE);
  const toStore = new Map<string, CommittedOffset>();
  entries.forEach((o, i) => {
    const metadata = o.metadata ?? '';
    if (Buffer.byteLength(metadata, 'utf8') > gc.config.offsetMetadataMaxBytes) {
      codes[i] = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return;
    }
    toStore.set(tpKey(o.topic, o.partition), { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp });
  });
  const stored = await gc.manager.storeOffsets(group, toStore, txn);
  entries.forEach((o, i) => {
    if (codes[i] === ErrorCode.NONE) codes[i] = stored.get(tpKey(o.topic, o.partition)) ?? ErrorCode.NONE;
  });
  return codes;
}

/**
 * TxnOffsetCommit (Kafka 2.8's GroupCoordinator.handleTxnCommitOffsets): a group that does not exist is created Empty
 * for the commit; KIP-447 checks apply only to what the request sets (member id non-empty, generation >= 0). The
 * offsets are pending for the producer until its transaction completes.
 */
export async function commitTxnOffsets(gc: GroupCoordinatorContext, p: TxnCommitOffsetsParams): Promise<number[]> {
  const all = (code: number): number[] => p.offsets.map(() => code);
  const status = gc.validateGroupStatus(p.groupId, false);
  if (status !== ErrorCode.NONE) return all(status);
  const group = gc.manager.getGroup(p.groupId) ?? gc.manager.addGroup(new GroupMetadata(p.groupId, 'Empty', gc.scheduler.now()));
  if (group.is('Dead')) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return all(ErrorCode.FENCED_INSTANCE_ID);
  if (p.memberId !== '' && !group.has(p.memberId)) return all(ErrorCode.UNKNOWN_MEMBER_ID);
  if (p.generationId >= 0 && p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
  return store(gc, group, p.offsets, BigInt(gc.scheduler.now()), null, { producerId: p.producerId, producerEpoch: p.producerEpoch });
}

/**
 * OffsetFetch; `partitions` null = every committed offset of the group. With `requireStable` (v7, KIP-447) a partition
 * whose commit is not settled (a transactional one awaiting its marker, or a write in flight) answers
 * UNSTABLE_OFFSET_COMMIT with offset -1, as Kafka's GroupMetadataManager.getOffsets.
 */
export function fetchOffsets(gc: GroupCoordinatorContext, groupId: string, partitions: { topic: string; partition: number }[] | null, requireStable = false): { errorCode: number; offsets: FetchedOffset[] } {
  const status = gc.validateGroupStatus(groupId, true);
  if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
  const group = gc.manager.getGroup(groupId);
  const none = (topic: string, partition: number, errorCode: number = ErrorCode.NONE): FetchedOffset => ({ topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode });
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
        const unstable = requireStable && group.hasPendingOffsetCommitsForTopicPartition(k);
        offsets.push(unstable ? none(topic, partition, ErrorCode.UNSTABLE_OFFSET_COMMIT) : entry(topic, partition, o));
      }
    }
    return { errorCode: ErrorCode.NONE, offsets };
  }
  return {
    errorCode: ErrorCode.NONE,
    offsets: partitions.map(({ topic, partition }) => {
      if (!group || group.is('Dead')) return none(topic, partition);
      const k = tpKey(topic, partition);
      if (requireStable && group.hasPendingOffsetCommitsForTopicPartition(k)) return none(topic, partition, ErrorCode.UNSTABLE_OFFSET_COMMIT);
      const o = group.offsets.get(k);
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
  // Pending transactional offsets of these partitions go too (Kafka's GroupMetadata.removeOffsets).
  const removed = group.removeOffsets(partitions.filter((_, i) => results[i] === ErrorCode.NONE).map((p) => tpKey(p.topic, p.partition)));
  if (removed.length > 0) {
    const code = await gc.manager.writeTombstones(groupId, removed, false);
    if (code !== ErrorCode.NONE) return { errorCode: code, results: [] };
  }
  return { errorCode: ErrorCode.NONE, results };
}
